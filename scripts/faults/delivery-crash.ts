// kill -9 of the stack while a slow receiver holds its callbacks (it answers after 5 s, within the Worker's 10 s);
// started again on the same state, every task must be called back. The receiver got the held ones, so a repeat of
// the same webhook-id is expected and reported; a second id is a failure.
import { waitFor } from "../lib/wait.ts";
import { decide, uploadListed } from "./steps.ts";
import type { Scenario } from "./world.ts";

const QUICK_TASKS = 6;
const FULL_TASKS = 12;

export const deliveryCrash: Scenario = {
  name: "delivery-crash",
  summary: "kill -9 of the stack during callback delivery, while a slow receiver holds the answers; restart",
  async run(world) {
    await world.front.setMode("slow");
    const ids = await uploadListed(world, world.quick ? QUICK_TASKS : FULL_TASKS, "delivery");
    await Promise.all(ids.map((id) => decide(world, id, "approve")));
    const half = Math.ceil(ids.length / 2);
    await waitFor(`${half} callbacks to reach the slow receiver`, () => (world.front.seen() >= half ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const held = world.front.seen() - world.receiver.received.length;
    await world.kill(
      `during callback delivery: the slow receiver has taken ${world.front.seen()} callbacks of ${ids.length} and not yet answered ${held}`,
    );
    await world.start();
  },
};
