// A stop (SIGTERM) and start across review deadlines: tasks left undecided while the stack is down past their
// REVIEW_TIMEOUT must end expired with a task.expired callback once it is back, and a late decision must lose.
import { setTimeout as sleep } from "node:timers/promises";
import { uploadListed } from "./steps.ts";
import type { Scenario } from "./world.ts";

const REVIEW_TIMEOUT_SECONDS = 20;
const QUICK_TASKS = 6;
const FULL_TASKS = 12;
// Down this long past the last deadline, so every deadline passes while nothing runs.
const PAST_DEADLINE_MS = 10_000;

export const deadlineRestart: Scenario = {
  name: "deadline-restart",
  summary: `a stop (SIGTERM) across review deadlines (REVIEW_TIMEOUT ${REVIEW_TIMEOUT_SECONDS} seconds), then a start`,
  env: { REVIEW_TIMEOUT: `${REVIEW_TIMEOUT_SECONDS} seconds` },
  async run(world) {
    const ids = await uploadListed(world, world.quick ? QUICK_TASKS : FULL_TASKS, "deadline");
    const lastDeadline = Date.now() + REVIEW_TIMEOUT_SECONDS * 1000;
    for (const id of ids) world.tally.accept(id, "expired");
    await world.stop(`with ${ids.length} tasks pending, every deadline within ${REVIEW_TIMEOUT_SECONDS} s`);
    await sleep(Math.max(0, lastDeadline + PAST_DEADLINE_MS - Date.now()));
    world.log(`every deadline passed ${PAST_DEADLINE_MS / 1000} s or more ago while the stack was down; starting it again`);
    await world.start();
    const [late] = ids;
    if (late === undefined) return;
    const answer = await world.traffic.decide(late, "approve");
    if (answer?.status !== 409 || answer.error?.code !== "review_expired") {
      world.tally.failures.push(
        `an approval of ${late} after its deadline answered ${answer?.status ?? "nothing"}: ${answer?.error?.message.slice(0, 200) ?? ""}`,
      );
    }
  },
};
