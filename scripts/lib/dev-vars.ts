// Local settings for scripts: .dev.vars when present, else the contract's dev-only defaults in .dev.vars.example.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";

export const ROOT = resolve(import.meta.dirname, "../..");

/** The env file the local stack reads: the developer's own .dev.vars, or the committed example. */
export function devVarsFile(): string {
  const own = resolve(ROOT, ".dev.vars");
  return existsSync(own) ? own : resolve(ROOT, ".dev.vars.example");
}

export function readDevVars(): Record<string, string> {
  return parseEnv(readFileSync(devVarsFile(), "utf8")) as Record<string, string>;
}

/** A setting from the process environment first, then the local env file. */
export function setting(name: string): string {
  const value = process.env[name] ?? readDevVars()[name];
  if (!value) throw new Error(`${name} is not set in the environment or ${devVarsFile()}`);
  return value;
}
