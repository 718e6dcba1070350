// Starts and stops local Workers as real process groups: the local stack (`node scripts/start.ts`) for end-to-end
// tests and the bench, and any other `wrangler dev` the bench runs beside it.
import type { ChildProcess } from "node:child_process";
import { freePort, isPortFree, LOOPBACK } from "./ports.ts";
import { startProcess } from "./start-process.ts";

const READY_MS = 90_000;
const STOP_MS = 20_000;

export type Stack = {
  baseUrl: string;
  port: number;
  stateDir: string;
  child: ChildProcess;
  /** Everything the stack printed, for failure messages. */
  output: string[];
  /** Sends SIGTERM to the group's leader (start.ts or wrangler, which pass it on) and resolves with its exit status. */
  stop(): Promise<number>;
  /** SIGKILLs the whole process group: start.ts, wrangler and workerd. Safe to call twice. */
  kill(): void;
};

export type ProcessGroupOptions = {
  /** What is starting, for messages: "the stack on port 8787". */
  what: string;
  port: number;
  stateDir: string;
  /** Arguments to Node, the script first. */
  args: string[];
  /** Added to this process's environment. */
  env: NodeJS.ProcessEnv;
  /** True once the group is ready; a throw counts as not yet. */
  ready: (stack: Pick<Stack, "baseUrl" | "output">) => boolean | Promise<boolean>;
};

const running = new Set<Stack>();

/** `npm start` on a free port with its state in `stateDir`; resolves once it has printed its summary. */
export async function startStack(stateDir: string, env: Record<string, string> = {}): Promise<Stack> {
  const port = await freePort();
  return startProcessGroup({
    what: `the stack on port ${port}`,
    port,
    stateDir,
    args: ["scripts/start.ts"],
    env: { ...env, PORT: String(port), GREENLIGHT_STATE_DIR: stateDir },
    ready: (stack) => stack.output.some((line) => line.includes("Press Ctrl+C to stop")),
  });
}

/** Runs Node with `args` as the leader of its own process group, and resolves once `ready` says so. */
export async function startProcessGroup({ what, port, stateDir, args, env, ready }: ProcessGroupOptions): Promise<Stack> {
  const baseUrl = `http://${LOOPBACK}:${port}`;
  // Its own process group, so a kill reaches wrangler and workerd even if the leader is stuck.
  const group = startProcess({
    what,
    args,
    env,
    group: true,
    ready: async (output) => ((await ready({ baseUrl, output })) ? true : undefined),
    readyTimeoutMs: READY_MS,
    stopTimeoutMs: STOP_MS,
  });
  const stack: Stack = {
    baseUrl,
    port,
    stateDir,
    child: group.child,
    output: group.output,
    stop: () => group.stop().finally(() => running.delete(stack)),
    kill() {
      running.delete(stack);
      group.kill();
    },
  };
  running.add(stack);
  await group.ready.catch((error: unknown) => {
    running.delete(stack);
    throw error;
  });
  return stack;
}

/** Stops every stack that is still running: SIGTERM, then SIGKILL for whatever is left of its group. For afterAll. */
export async function stopAllStacks(): Promise<void> {
  await Promise.all(
    [...running].map(async (stack) => {
      await stack.stop().catch(() => undefined);
      stack.kill();
    }),
  );
}

/** True once nothing listens on the stack's port any more. */
export const portReleased = (stack: Stack) => isPortFree(stack.port);

export { tail } from "./start-process.ts";
