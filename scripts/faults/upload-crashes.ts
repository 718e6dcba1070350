// kill -9 of the whole stack while uploads stream in, several times in one run, each time started again on the same
// state. Clients send every unanswered upload again with its Idempotency-Key; every task accepted must be listed.
import { setTimeout as sleep } from "node:timers/promises";
import { noisePngs } from "../bench/images.ts";
import { IMAGE_KB } from "./steps.ts";
import type { Uploaded } from "./traffic.ts";
import type { Scenario } from "./world.ts";

const UPLOADERS = 6;
// Uploads after the last restart, so the new stack takes some that never met a crash.
const AFTER_LAST_MS = 3_000;
// Answered uploads sent again at the end: the ledger must give each its task back.
const REPLAYS = 10;

export const uploadCrashes: Scenario = {
  name: "upload-crashes",
  summary:
    "kill -9 of the stack during uploads, several times in one run, restarting on the same state; clients retry with the same Idempotency-Key",
  async run(world) {
    const crashes = world.quick ? 3 : 5;
    // Each crash comes at a random moment in this window after the stack is up.
    const [earliest, latest] = world.quick ? [3_000, 6_000] : [5_000, 15_000];
    const answered: (Uploaded & { image: Uint8Array; callbackUrl: string })[] = [];
    let seed = 0;
    let uploading = true;
    const uploaders = Array.from({ length: UPLOADERS }, async () => {
      while (uploading) {
        const [image] = noisePngs(1, IMAGE_KB, ++seed);
        const callbackUrl = world.callbackUrl(`upload-${seed}`);
        const uploaded = await world.traffic.upload(image as Buffer, callbackUrl);
        if (!uploaded) continue;
        world.tally.accept(uploaded.taskId, "pending");
        answered.push({ ...uploaded, image: image as Buffer, callbackUrl });
      }
    });

    for (let crash = 1; crash <= crashes; crash++) {
      await sleep(earliest + Math.random() * (latest - earliest));
      await world.kill(`during uploads (crash ${crash} of ${crashes}, ${answered.length} accepted so far)`);
      await world.start();
    }
    await sleep(AFTER_LAST_MS);
    uploading = false;
    await Promise.all(uploaders);

    const retried = answered.filter((upload) => upload.attempts > 1);
    world.tally.notes.push(
      `${answered.length} uploads accepted; ${retried.length} only after a retry, ${retried.filter((upload) => upload.replayed).length} of those replayed ` +
        "(Idempotent-Replayed: the attempt that got no answer had reached the ledger)",
    );
    // The ledger outlives every kill: an answered upload sent again gets its own task back.
    const step = Math.max(1, Math.floor(answered.length / REPLAYS));
    for (const upload of answered.filter((_, index) => index % step === 0).slice(0, REPLAYS)) {
      const again = await world.traffic.upload(upload.image, upload.callbackUrl, upload.key);
      if (again && (again.taskId !== upload.taskId || !again.replayed)) {
        world.tally.failures.push(
          `Idempotency-Key ${upload.key} first gave ${upload.taskId}, sent again ${again.taskId} (replayed: ${again.replayed})`,
        );
      }
    }
  },
};
