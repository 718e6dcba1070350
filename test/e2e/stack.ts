// Starts and stops the local stack (`node scripts/start.ts`) as a real process group for end-to-end tests.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { ROOT } from "../../scripts/lib/dev-vars.ts";
import { freePort, isPortFree } from "../../scripts/lib/ports.ts";
import { StopWaiting, waitFor } from "../../scripts/lib/wait.ts";

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
  /** Sends SIGTERM to start.ts (which forwards it to wrangler) and resolves with its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILLs the whole process group: start.ts, wrangler and workerd. Safe to call twice. */
  kill(): void;
};

const running = new Set<Stack>();

export async function startStack(stateDir: string, env: Record<string, string> = {}): Promise<Stack> {
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(NODE, ["scripts/start.ts"], {
    cwd: ROOT,
    // Its own process group, so a kill reaches wrangler and workerd even if start.ts is stuck.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, PORT: String(port), GREENLIGHT_STATE_DIR: stateDir },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => output.push(...chunk.split("\n").filter(Boolean)));
  }
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const stack: Stack = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    stateDir,
    child,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise<"timeout">((done) => setTimeout(done, STOP_MS, "timeout"))]);
      if (code === "timeout") {
        stack.kill();
        throw new Error(`The stack on port ${port} did not stop within ${STOP_MS / 1000} s of SIGTERM:\n${tail(output)}`);
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
    `the stack on port ${port} to print its summary`,
    () => {
      if (child.exitCode !== null) throw new StopWaiting(`start.ts exited with code ${child.exitCode}:\n${tail(output)}`);
      return output.some((line) => line.includes("Press Ctrl+C to stop")) ? true : undefined;
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
