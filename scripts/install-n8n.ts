// Usage: npm run install:n8n   (env: GREENLIGHT_N8N_HOME, default ~/.cache/greenlight/n8n)
// Installs the pinned n8n outside the repository, once, for the real-n8n test: a plain `npm install n8n` fails
// offline (a Kafka client downloads binaries and rolls the whole install back), so scripts are skipped and the one
// native module n8n needs here, sqlite3, is built from source against Node 24's headers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

export const n8nHome = () => resolve(process.env.GREENLIGHT_N8N_HOME ?? join(homedir(), ".cache/greenlight/n8n"), N8N_VERSION);
export const n8nBin = () => join(n8nHome(), "node_modules/n8n/bin/n8n");
const marker = () => join(n8nHome(), ".greenlight-installed");

/** Installs n8n unless the same manifest is already installed; returns the n8n binary's path. */
export function installN8n(): string {
  const home = n8nHome();
  const wanted = JSON.stringify(manifest);
  if (existsSync(marker()) && readFileSync(marker(), "utf8") === wanted && existsSync(n8nBin())) return n8nBin();

  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, "package.json"), JSON.stringify(manifest, null, 2));
  // Builds run under whatever node is first on PATH: make it the Node running this script (24).
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], home, env);
  run("npm", ["rebuild", "sqlite3", "--loglevel=error"], home, { ...env, npm_config_nodedir: join(home, "node_modules", NODE_HEADERS_PACKAGE) });
  writeFileSync(marker(), wanted);
  return n8nBin();
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  console.log(`[install-n8n] ${command} ${args.join(" ")}  (in ${cwd})`);
  const result = spawnSync(command, args, { cwd, env, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed with ${result.status ?? result.signal}`);
}

if (import.meta.main) console.log(installN8n());
