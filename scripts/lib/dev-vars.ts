// Local settings for scripts: .dev.vars when present, else the contract's dev-only defaults in .dev.vars.example.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { secretList } from "../../worker/src/domain/secure-compare.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

/** The env file the local stack reads: the developer's own .dev.vars, or the committed example. */
export function devVarsFile(): string {
  const own = resolve(ROOT, ".dev.vars");
  return existsSync(own) ? own : resolve(ROOT, ".dev.vars.example");
}

export function readDevVars(): Record<string, string> {
  return parseEnv(readFileSync(devVarsFile(), "utf8")) as Record<string, string>;
}

/**
 * A setting as `wrangler dev` resolves it for the local stack, so scripts sign with the secrets the stack checks:
 * only .dev.vars when it exists; otherwise the process environment over .dev.vars.example.
 */
export function setting(name: string): string {
  const own = resolve(ROOT, ".dev.vars");
  const value = existsSync(own) ? readDevVars()[name] : (process.env[name] ?? readDevVars()[name]);
  if (!value) throw new Error(`${name} is not set in ${devVarsFile()}`);
  return value;
}

/**
 * The newest of a setting that may hold several secrets while one is rotated (REVIEWER_TOKEN, CALLBACK_SIGNING_SECRET):
 * the Worker accepts every one, and the newest is the one that outlives the rotation.
 */
export function newestSetting(name: string): string {
  const [newest] = secretList(setting(name));
  if (newest === undefined) throw new Error(`${name} is blank in ${devVarsFile()}`);
  return newest;
}

/** The API client scripts act as: "demo" from CLIENT_KEYS when it is there, else the first client; its newest key. */
export function devClient(clientKeysJson: string): { id: string; key: string } {
  const keys = JSON.parse(clientKeysJson) as Record<string, string | string[]>;
  const id = "demo" in keys ? "demo" : Object.keys(keys)[0];
  const key = id === undefined ? undefined : [keys[id] ?? []].flat()[0];
  if (id === undefined || !key) throw new Error("CLIENT_KEYS names no client");
  return { id, key };
}
