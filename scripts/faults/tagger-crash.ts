// kill -9 of the embedded tagger alone while approvals arrive: the stack starts it again, the workflow's tagging step
// retries (30 s later), and every approved task must be tagged and called back.
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../lib/wait.ts";
import { decide, taggerPid, uploadListed } from "./steps.ts";
import type { Scenario } from "./world.ts";

const QUICK_TASKS = 10;
const FULL_TASKS = 20;
// Approvals arrive one after another, as reviewers click, so some meet the tagger down and some the one started again.
const APPROVAL_PAUSE_MS = 300;
// The stack starts a dead tagger again after 0.5 s to 15 s, and its models take about a second to load.
const TAGGER_BACK_MS = 30_000;

export const taggerCrash: Scenario = {
  name: "tagger-crash",
  summary: "kill -9 of the embedded tagger while approvals arrive; the stack starts it again",
  async run(world) {
    const ids = await uploadListed(world, world.quick ? QUICK_TASKS : FULL_TASKS, "tagger");
    const kills = world.quick ? 1 : 2;
    const killAt = new Set(Array.from({ length: kills }, (_, index) => Math.floor((ids.length * (index + 1)) / (kills + 1))));
    const restarts: Promise<void>[] = [];
    for (const [index, id] of ids.entries()) {
      if (killAt.has(index)) {
        const pid = await waitFor("the embedded tagger to be running", () => taggerPid(world), { timeoutMs: TAGGER_BACK_MS });
        process.kill(pid, "SIGKILL");
        const killedAt = Date.now();
        world.fault(`kill -9 of the embedded tagger (pid ${pid}) after ${index} of ${ids.length} approvals`);
        // The approvals go on meanwhile.
        restarts.push(
          waitFor(
            "the stack to start the tagger again",
            () => {
              const again = taggerPid(world);
              return again !== pid ? again : undefined;
            },
            { timeoutMs: TAGGER_BACK_MS },
          ).then(
            (again) =>
              world.log(
                `the stack started the tagger again (pid ${again}) ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
              ),
            () =>
              void world.tally.failures.push(
                `the stack did not start the embedded tagger again within ${TAGGER_BACK_MS / 1000} s of the kill`,
              ),
          ),
        );
      }
      await decide(world, id, "approve");
      await sleep(APPROVAL_PAUSE_MS);
    }
    await Promise.all(restarts);
  },
};
