// Starts the bench's bare Worker (bare-worker/) under `wrangler dev --local` as its own process group, like the stack.
import { resolve } from "node:path";
import { freePort } from "../lib/ports.ts";
import { type Stack, startProcessGroup } from "../lib/stack.ts";
import { localWranglerEnv, wranglerDevArgs } from "../lib/wrangler.ts";

const CONFIG = resolve(import.meta.dirname, "bare-worker/wrangler.toml");

export async function startBareWorker(stateDir: string): Promise<Stack> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  return startProcessGroup({
    what: `the bare Worker on port ${port}`,
    port,
    stateDir,
    args: wranglerDevArgs({ port, inspectorPort, stateDir, config: CONFIG }),
    env: localWranglerEnv(),
    ready: async (stack) => (await fetch(`${stack.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok,
  });
}
