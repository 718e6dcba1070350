// Steps the scenarios share: upload tasks and wait until reviewers see them, decide them, find the embedded tagger.
import { noisePngs } from "../bench/images.ts";
import { waitFor } from "../lib/wait.ts";
import type { Decision } from "./traffic.ts";
import type { World } from "./world.ts";

// Random pixels, so every task has its own bytes and perceptual hash; small, so uploads are quick.
export const IMAGE_KB = 20;
// A task is listed within a second of its upload on a quiet stack; a busy one takes longer.
const LISTED_MS = 60_000;

/** Uploads `count` tasks with callbacks and waits until GET /v1/reviews lists every one; their ids. */
export async function uploadListed(world: World, count: number, label: string, firstSeed = 1): Promise<string[]> {
  const images = noisePngs(count, IMAGE_KB, firstSeed);
  const uploaded = await Promise.all(images.map((image, index) => world.traffic.upload(image, world.callbackUrl(`${label}-${index + 1}`))));
  const ids = uploaded.flatMap((upload) => (upload ? [upload.taskId] : []));
  for (const id of ids) world.tally.accept(id, "pending");
  await waitFor(
    `${ids.length} uploaded tasks to be listed for review`,
    async () => {
      const listed = await world.traffic.pendingIds();
      return listed && ids.every((id) => listed.has(id)) ? true : undefined;
    },
    { timeoutMs: LISTED_MS, intervalMs: 500 },
  );
  return ids;
}

/** Decides a task; once answered 200 it must end completed or rejected, with its callback. */
export async function decide(world: World, taskId: string, decision: Decision): Promise<boolean> {
  const answer = await world.traffic.decide(taskId, decision);
  if (answer?.status === 200) {
    world.tally.accept(taskId, decision === "approve" ? "completed" : "rejected");
    return true;
  }
  if (answer) world.tally.failures.push(`the ${decision} of ${taskId} answered ${answer.status}: ${answer.error?.message.slice(0, 200)}`);
  return false;
}

/** The embedded tagger's pid: the stack's only process that runs local-tagger/server.ts. */
export function taggerPid(world: World): number | undefined {
  return world.processes().find((process) => process.name === "tagger")?.pid;
}
