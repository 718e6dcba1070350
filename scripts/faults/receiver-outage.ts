// The client's callback receiver down, then back: refusing connections in one round, answering 503 in the other.
// Every first attempt fails; the schedule's second attempt, 5 s later, finds the receiver back and must deliver.
import { waitFor } from "../lib/wait.ts";
import type { FrontMode } from "./receiver-front.ts";
import { decide, uploadListed } from "./steps.ts";
import type { Scenario } from "./world.ts";

const QUICK_TASKS = 6;
const FULL_TASKS = 10;
const MODES: { mode: FrontMode; what: string }[] = [
  { mode: "down", what: "refusing connections" },
  { mode: "503", what: "answering 503" },
];
// The outage ends once every task has had its first attempt, before the second comes 5 s later; a third would wait 5
// minutes, past the settle period.
const FIRST_ATTEMPTS_MS = 30_000;
const SECOND_ATTEMPTS_MS = 30_000;

export const receiverOutage: Scenario = {
  name: "receiver-outage",
  summary: "the callback receiver down (connection refused, then 503) while tasks are decided, then back",
  async run(world) {
    for (const [round, { mode, what }] of MODES.entries()) {
      const ids = await uploadListed(world, world.quick ? QUICK_TASKS : FULL_TASKS, mode, round * 1_000 + 1);
      await world.front.setMode(mode);
      world.fault(`the receiver is ${what}`);
      const started = Date.now();
      await Promise.all(ids.map((id, index) => decide(world, id, index % 2 === 0 ? "approve" : "reject")));
      const firstFailures = await waitFor(
        `a failed first callback attempt for each of ${ids.length} tasks`,
        async () => {
          const tasks = await Promise.all(ids.map((id) => world.traffic.read(id)));
          const failed = tasks.flatMap((answer) =>
            answer?.value && answer.value.callback.attempts >= 1 ? [answer.value.callback.lastError] : [],
          );
          return failed.length === ids.length ? failed : undefined;
        },
        { timeoutMs: FIRST_ATTEMPTS_MS, intervalMs: 200 },
      );
      await world.front.setMode("up");
      world.fault(
        `the receiver is back after ${((Date.now() - started) / 1000).toFixed(1)} s; first attempts failed with: ${[...new Set(firstFailures)].join("; ")}`,
      );
      // The next round's outage must not meet this round's second attempts; one that never comes is left to the
      // settle period to count as stuck.
      await waitFor(
        `the ${ids.length} callbacks to be delivered`,
        async () =>
          (await Promise.all(ids.map((id) => world.traffic.read(id)))).every((answer) => answer?.value?.callback.state === "delivered")
            ? true
            : undefined,
        { timeoutMs: SECOND_ATTEMPTS_MS, intervalMs: 500 },
      ).catch(() => undefined);
    }
  },
};
