// Starts and stops local Workers as real process groups: the local stack (`node scripts/start.ts`) for end-to-end
// tests and the bench, and any other `wrangler dev` the bench runs beside it.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { ROOT } from "./dev-vars.ts";
import { freePort, isPortFree, LOOPBACK } from "./ports.ts";
import { StopWaiting, waitFor } from "./wait.ts";

// npm scripts run Node 24 from node_modules; the system node may be older and cannot strip types.
const NODE = resolve(ROOT, "node_modules/.bin/node");
const READY_MS = 90_000;
const STOP_MS = 20_000;

export type Stack = {
  baseUrl: string;
  port: number;
  stateDir: string;
  child: ChildProcess;
  /** Everything the stack printed, for failure messages. */
  output: string[];
  /** Sends SIGTERM to the group's leader (start.ts or wrangler, which pass it on) and resolves with its exit code. */
  stop(): Promise<number | null>;
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
  ready: (stack: Stack) => boolean | Promise<boolean>;
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
  const output: string[] = [];
  const child = spawn(NODE, args, {
    cwd: ROOT,
    // Its own process group, so a kill reaches wrangler and workerd even if the leader is stuck.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => output.push(...chunk.split("\n").filter(Boolean)));
  }
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const stack: Stack = {
    baseUrl: `http://${LOOPBACK}:${port}`,
    port,
    stateDir,
    child,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise<"timeout">((done) => setTimeout(done, STOP_MS, "timeout"))]);
      if (code === "timeout") {
        stack.kill();
        throw new Error(`Stopping ${what}: still running ${STOP_MS / 1000} s after SIGTERM:\n${tail(output)}`);
      }
      // wrangler takes workerd down with it; anything left in the group would hold the state dir.
      stack.kill();
      return code;
    },
    kill() {
      running.delete(stack);
      // A group id is not reused while any member lives, so a group that answers signal 0 is still ours.
      if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
    },
  };
  running.add(stack);

  await waitFor(
    `${what} to be ready`,
    async () => {
      if (child.exitCode !== null) throw new StopWaiting(`Starting ${what}: it exited with code ${child.exitCode}:\n${tail(output)}`);
      return (await ready(stack)) ? true : undefined;
    },
    { timeoutMs: READY_MS, intervalMs: 100 },
    () => `\n${tail(output)}`,
  ).catch((error: unknown) => {
    stack.kill();
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

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True once nothing listens on the stack's port any more. */
export const portReleased = (stack: Stack) => isPortFree(stack.port);

export const tail = (lines: string[], count = 40) => lines.slice(-count).map((line) => `  | ${line}`).join("\n");
