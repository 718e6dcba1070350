// Starts a child process and waits until it is ready: the one way scripts and tests run a server, keep its output
// for failure messages, fail fast when it exits early, and stop it (a signal, then SIGKILL after a grace period).
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "./dev-vars.ts";
import { StopWaiting, waitFor } from "./wait.ts";

/** npm scripts run Node 24 from node_modules; the machine's node may be older and cannot strip types. */
export const NODE = resolve(ROOT, "node_modules/.bin/node");

const CLOSE_WAIT_MS = 1_000;

export type StartOptions<T> = {
  /** What is starting, for messages: "the embedded tagger". */
  what: string;
  /** Defaults to NODE, with `args` starting with the script. */
  command?: string;
  args: string[];
  /** Defaults to the repository's root. */
  cwd?: string;
  /** Added to this process's environment; a name set to undefined is left out. */
  env?: Record<string, string | undefined>;
  /** Leads its own process group, so kill() reaches what it started too (wrangler's workerd, n8n's task runner). */
  group?: boolean;
  /**
   * The process's answer once it is ready, e.g. a URL read from a line it printed, or true from a probe; undefined
   * or a throw means not yet, a StopWaiting ends the wait at once.
   */
  ready: (output: string[]) => T | undefined | Promise<T | undefined>;
  readyTimeoutMs: number;
  intervalMs?: number;
  /** How long stop() waits after its signal before it SIGKILLs. */
  stopTimeoutMs: number;
  /** Whether a chunk of output is also written to this process's own stdout or stderr right now. */
  echo?: (stream: "stdout" | "stderr") => boolean;
  /** Only the latest lines are kept: for a process that runs for days. All of them otherwise. */
  keepLines?: number;
  /** Where its lines go, when they belong with other lines (a CLI's runs beside a server's log). A new array otherwise. */
  output?: string[];
};

export type StartedProcess<T> = {
  child: ChildProcess;
  /** Its stdout and stderr as lines, in the order they came. */
  output: string[];
  /** Resolves with the readiness answer; rejects, once the process is stopped, when it exits first or times out. */
  ready: Promise<T>;
  /** Resolves with its exit status as a shell reports it: the code, or 128 plus the signal's number. */
  exited: Promise<number>;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit status; SIGKILLs and throws if it outlives the grace period. */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** SIGKILL now: the whole group when it leads one. Safe to call twice. */
  kill(): void;
};

/** Spawns the process at once; await `ready` before using it. */
export function startProcess<T>(options: StartOptions<T>): StartedProcess<T> {
  const { what, command = NODE, args, cwd = ROOT, env = {}, group = false, echo, keepLines, output = [] } = options;
  // Node leaves out the names whose value is undefined.
  const child = spawn(command, args, { cwd, detached: group, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let spawnError: Error | undefined;
  for (const [name, stream] of [
    ["stdout", child.stdout],
    ["stderr", child.stderr],
  ] as const) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      if (echo?.(name)) (name === "stdout" ? process.stdout : process.stderr).write(chunk);
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      keep(lines);
    });
    stream.on("end", () => keep([partial]));
  }
  function keep(lines: string[]) {
    output.push(...lines.filter((line) => line.trim() !== ""));
    if (keepLines !== undefined && output.length > keepLines) output.splice(0, output.length - keepLines);
  }

  // Its last words may come after "exit"; "close" waits for them, unless something it started still holds the pipes.
  const closed = new Promise<void>((done) => child.once("close", () => done()));
  const exited = new Promise<number>((done) => {
    child.once("exit", (code, signal) => done(exitStatus(code, signal)));
    // A command that cannot start (ENOENT, EACCES) never exits; 127 is what a shell answers for it.
    child.once("error", (error) => {
      spawnError ??= error;
      if (child.pid === undefined) done(127);
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null && !spawnError;
  const kill = () => {
    if (group && child.pid && groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
    else if (running()) child.kill("SIGKILL");
  };
  const lastLines = () => (output.length ? `\n${tail(output)}` : "");
  const saying = () => (output.length ? `:${lastLines()}` : ", printing nothing");

  const ready = waitFor(
    `${what} to be ready`,
    async () => {
      // No pid: it could not start, and its "error" is on its way.
      if (child.pid === undefined) {
        await exited;
        throw new StopWaiting(`Starting ${what}: ${spawnError?.message}`);
      }
      if (!running()) {
        await Promise.race([closed, sleep(CLOSE_WAIT_MS)]);
        throw new StopWaiting(`Starting ${what}: it exited with status ${exitStatus(child.exitCode, child.signalCode)}${saying()}`);
      }
      return options.ready(output);
    },
    { timeoutMs: options.readyTimeoutMs, intervalMs: options.intervalMs ?? 100 },
    lastLines,
  ).catch(async (error: unknown) => {
    await stop().catch(() => undefined);
    throw error;
  });

  async function stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number> {
    if (running()) child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      exited,
      new Promise<"timeout">((done) => (timer = setTimeout(done, options.stopTimeoutMs, "timeout"))),
    ]);
    clearTimeout(timer);
    // Whatever the leader left behind in its group would hold ports and files.
    kill();
    if (status === "timeout")
      throw new Error(`Stopping ${what}: still running ${options.stopTimeoutMs / 1000} s after ${signal}${saying()}`);
    return status;
  }

  return { child, output, ready, exited, stop, kill };
}

/** A readiness check that answers the first capture group of the first line matching `pattern`. */
export const lineMatching =
  (pattern: RegExp) =>
  (output: string[]): string | undefined => {
    for (const line of output) {
      const match = pattern.exec(line);
      if (match) return match[1] ?? match[0];
    }
    return undefined;
  };

/** The last lines of some output, indented for an error message; very long lines (minified stack traces) cut short. */
export const tail = (lines: string[], count = 40) =>
  lines
    .slice(-count)
    .map((line) => `  | ${line.length > 400 ? `${line.slice(0, 400)}...` : line}`)
    .join("\n");

function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] : 0);
}

function groupAlive(pgid: number): boolean {
  // A group id is not reused while any member lives, so a group that answers signal 0 is still ours.
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
