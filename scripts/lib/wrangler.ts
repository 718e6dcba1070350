// How scripts run `wrangler dev --local`: its CLI under this Node, with no account, no network and no tracing.
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { LOOPBACK } from "./ports.ts";

/** Wrangler's own entry point, run directly with process.execPath (Node 24 under npm) rather than through its shim. */
export const WRANGLER_CLI = resolve(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "wrangler-dist/cli.js");

/**
 * Node's arguments for `wrangler dev --local` on a loopback port with its state under `stateDir`, `config` when not the
 * root wrangler.toml. The inspector gets a free port too: a fixed one (9229) could be another process's on a shared machine.
 */
export function wranglerDevArgs(options: { port: number; inspectorPort: number; stateDir: string; config?: string }): string[] {
  return [
    "--no-warnings",
    WRANGLER_CLI,
    "dev",
    "--local",
    ...(options.config ? ["--config", options.config] : []),
    "--ip",
    LOOPBACK,
    "--port",
    String(options.port),
    "--inspector-port",
    String(options.inspectorPort),
    "--persist-to",
    options.stateDir,
    "--show-interactive-dev-session=false",
  ];
}

/** Whether wrangler's local tracing was asked for (GREENLIGHT_TRACING=1); it is off otherwise. */
export const tracingRequested = (env: NodeJS.ProcessEnv = process.env) => env.GREENLIGHT_TRACING === "1";

/**
 * The environment for a local wrangler. Its local tracing (a trace collector attached to every Worker, for the
 * local explorer) costs CPU on every request and subrequest, so it stays off unless GREENLIGHT_TRACING=1.
 */
export function localWranglerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    // The banner's update check is the only network call left; the local stack needs none.
    WRANGLER_HIDE_BANNER: "true",
    ...(tracingRequested(env) ? {} : { X_LOCAL_OBSERVABILITY: "false" }),
  };
}
