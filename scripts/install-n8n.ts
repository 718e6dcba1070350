// Usage: npm run install:n8n   (env: GREENLIGHT_N8N_HOME, default ~/.cache/greenlight/n8n)
// Installs the pinned n8n outside the repository, once, for the real-n8n test: a plain `npm install n8n` fails
// offline (a Kafka client downloads binaries and rolls the whole install back), so scripts are skipped and the one
// native module n8n needs here, sqlite3, is built from source against Node 24's headers.
// The flow checks in `npm test` need only two of n8n's packages: installFlowCheckPackages() fetches them beside it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const N8N_VERSION = "2.41.1";
// Node's own headers, for building sqlite3 against the Node that runs n8n (the machine's headers are older).
const NODE_HEADERS_PACKAGE = `node-${process.platform}-${process.arch}`;
const manifest = {
  name: "greenlight-n8n-runtime",
  private: true,
  dependencies: { n8n: N8N_VERSION, [NODE_HEADERS_PACKAGE]: process.versions.node },
  // The registry here lags n8n's own pins; 2.41.1 resolves with this one held back.
  overrides: { linkedom: "0.18.14" },
};

const n8nRoot = () => resolve(process.env.GREENLIGHT_N8N_HOME ?? join(homedir(), ".cache/greenlight/n8n"));
export const n8nHome = () => join(n8nRoot(), N8N_VERSION);
export const n8nBin = () => join(n8nHome(), "node_modules/n8n/bin/n8n");
/** The flow checks' packages: n8n-nodes-base/ (its package.json and node definitions) and node_modules/n8n-workflow. */
export const flowCheckHome = () => join(n8nRoot(), "flow-checks", N8N_VERSION);
const marker = () => join(n8nHome(), ".greenlight-installed");

/** Installs n8n unless the same manifest is already installed; returns the n8n binary's path. */
export function installN8n(): string {
  const home = n8nHome();
  const wanted = JSON.stringify(manifest);
  if (existsSync(marker()) && readFileSync(marker(), "utf8") === wanted && existsSync(n8nBin())) return n8nBin();

  console.log(`[install-n8n] installing n8n ${N8N_VERSION} once, under ${home} (a few minutes; later runs reuse it)`);
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, "package.json"), JSON.stringify(manifest, null, 2));
  // Builds run under whatever node is first on PATH: make it the Node running this script (24).
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], home, env);
  run("npm", ["rebuild", "sqlite3", "--loglevel=error"], home, {
    ...env,
    npm_config_nodedir: join(home, "node_modules", NODE_HEADERS_PACKAGE),
  });
  writeFileSync(marker(), wanted);
  return n8nBin();
}

/**
 * Fetches what the flow checks read, once, unless flowCheckHome() exists: n8n-nodes-base's package.json and node
 * definitions (dist/types/nodes.json), taken from its registry tarball rather than installed (its dependencies weigh
 * about a gigabyte), and the n8n-workflow release it pins, installed with its own pinned dependencies (zod 3 among them,
 * which the root install cannot hold beside the Worker's zod 4). Built in a scratch folder, then renamed into place, so
 * an interrupted fetch leaves nothing half-made behind. Answers flowCheckHome().
 */
export function installFlowCheckPackages(): string {
  const home = flowCheckHome();
  if (existsSync(home)) return home;
  console.log(`[install-n8n] fetching n8n-nodes-base ${N8N_VERSION}'s node definitions and its n8n-workflow once, under ${home}`);
  mkdirSync(dirname(home), { recursive: true });
  const scratch = mkdtempSync(`${home}.partial-`);
  try {
    const nodesBase = join(scratch, "n8n-nodes-base");
    mkdirSync(nodesBase);
    // npm pack checks the tarball against the registry's dist.integrity before writing it.
    run(
      "npm",
      ["pack", `n8n-nodes-base@${N8N_VERSION}`, "--pack-destination", scratch, "--loglevel=error"],
      scratch,
      process.env,
      "ignore",
    );
    const tarball = join(scratch, `n8n-nodes-base-${N8N_VERSION}.tgz`);
    run(
      "tar",
      ["-xzf", tarball, "-C", nodesBase, "--strip-components=1", "package/package.json", "package/dist/types/nodes.json"],
      scratch,
      process.env,
    );
    rmSync(tarball);
    const n8nWorkflow: string = JSON.parse(readFileSync(join(nodesBase, "package.json"), "utf8")).dependencies["n8n-workflow"];
    const checks = { name: "greenlight-n8n-flow-checks", private: true, dependencies: { "n8n-workflow": n8nWorkflow } };
    writeFileSync(join(scratch, "package.json"), JSON.stringify(checks, null, 2));
    run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], scratch, process.env, "ignore");
    renameSync(scratch, home);
  } catch (error) {
    // A concurrent run may have put the same packages in place first.
    if (!existsSync(home)) throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return home;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, stdout: "inherit" | "ignore" = "inherit") {
  const result = spawnSync(command, args, { cwd, env, stdio: ["ignore", stdout, "inherit"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) failed with ${result.status ?? result.signal}`);
}

if (import.meta.main) console.log(installN8n());
