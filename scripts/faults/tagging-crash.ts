// kill -9 of the stack right after a burst of approvals answered 200, once the tagger is at work on them; started
// again on the same state, every approved task must be tagged and called back.
import { waitFor } from "../lib/wait.ts";
import { decide, uploadListed } from "./steps.ts";
import type { Scenario } from "./world.ts";

// The tagger answers one image at a time and keeps at most 16 waiting, so a burst this size is queued, not refused.
const QUICK_TASKS = 8;
const FULL_TASKS = 16;
const TAGGER_LINE = "local-tagger POST /tag";

export const taggingCrash: Scenario = {
  name: "tagging-crash",
  summary: "kill -9 of the stack right after a burst of approvals answered 200, while the tagger works on them; restart",
  async run(world) {
    const ids = await uploadListed(world, world.quick ? QUICK_TASKS : FULL_TASKS, "tagging");
    const stack = await world.current();
    const before = stack.output.length;
    const tagged = () => stack.output.slice(before).filter((line) => line.includes(TAGGER_LINE)).length;
    await Promise.all(ids.map((id) => decide(world, id, "approve")));
    // The first image the tagger reports is the moment the rest are being tagged or wait their turn.
    await waitFor("the tagger to answer for the first approved image", () => (tagged() > 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    await world.kill(`during tagging: ${ids.length} approvals answered 200, the tagger has answered ${tagged()} of them`);
    await world.start();
  },
};
