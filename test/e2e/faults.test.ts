// The fault suite's short run (`npm run test:faults -- --quick`) as a child process: every scenario must pass, and a
// failure shows the suite's table and progress.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/dev-vars.ts";

// The quick suite takes about 6 minutes when all is well; a stuck task holds its scenario for the 6-minute settle
// period, and the scenarios run three at a time.
const SUITE_MS = 20 * 60_000;
// The suite stops its stacks on SIGINT within a stack's stop time.
const STOP_MS = 30_000;

let suite: ChildProcess | undefined;

afterAll(async () => {
  if (!suite || suite.exitCode !== null || suite.signalCode !== null) return;
  const exited = new Promise((resolve) => suite?.once("exit", resolve));
  suite.kill("SIGINT");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_MS))]);
});

it(
  "loses nothing, leaves nothing stuck, calls back once per task and answers no 5xx through every fault (npm run test:faults -- --quick)",
  async () => {
    const output: string[] = [];
    suite = spawn(process.execPath, ["scripts/faults.ts", "--quick"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [suite.stdout, suite.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => output.push(chunk));
    }
    const code = await new Promise<number | null>((resolve) => suite?.once("exit", resolve));
    expect(code, `npm run test:faults -- --quick exited with ${code}:\n${output.join("")}`).toBe(0);
  },
  SUITE_MS,
);
