// The fault suite's short run (`npm run test:faults -- --quick`) as a child process: every scenario must pass, and a
// failure shows the suite's table and progress.
import { afterAll, expect, it } from "vitest";
import { type StartedProcess, startProcess } from "../../scripts/lib/start-process.ts";

// The quick suite takes about 6 minutes when all is well; a stuck task holds its scenario for the 6-minute settle
// period, and the scenarios run three at a time.
const SUITE_MS = 20 * 60_000;
// The suite stops its stacks on SIGINT within a stack's stop time.
const STOP_MS = 30_000;

let suite: StartedProcess<true> | undefined;

afterAll(async () => {
  await suite?.stop("SIGINT");
});

it(
  "loses nothing, leaves nothing stuck, calls back once per task and answers no 5xx through every fault (npm run test:faults -- --quick)",
  async () => {
    // Nothing to wait for before it runs: the suite is ready at once, and its exit status is the verdict.
    suite = startProcess({
      what: "the fault suite",
      args: ["scripts/faults.ts", "--quick"],
      ready: () => true,
      readyTimeoutMs: 0,
      stopTimeoutMs: STOP_MS,
    });
    const code = await suite.exited;
    expect(code, `npm run test:faults -- --quick exited with ${code}:\n${suite.output.join("\n")}`).toBe(0);
  },
  SUITE_MS,
);
