// The pre-screen run right after upload: facts from a thumbnail the Images service makes, and near-duplicates among earlier uploads.
import { prescreenDoneAtGate, prescreenHeardAtGate } from "../adapters/decision-gate.ts";
import { inspectImage, thumbnailPng } from "../adapters/image-service.ts";
import { readImageBytes } from "../adapters/image-store.ts";
import { enqueuePending, getTaskRecord, indexPerceptualHash, perceptualHashCandidates, putTaskRecord } from "../adapters/task-store.ts";
import { analyzeThumbnail, type ImageAnalysis, shapeFacts } from "../domain/image-analysis.ts";
import { hammingDistance, NEAR_DUPLICATE_DISTANCE } from "../domain/perceptual-hash.ts";
import { MAX_NEAR_DUPLICATES, type NearDuplicate, type Prescreen } from "../domain/prescreen.ts";
import { type ImageFacts, updateTask } from "../domain/task.ts";
import { readThumbnail, THUMBNAIL } from "../domain/thumbnail.ts";
import { recordUploadAccepted } from "./metrics.ts";
import { recordChangeEvents } from "./task-events.ts";

// Cloudflare Images transforms at most 100 megapixels and 12,000 pixels a side; a header past that is not sent at all.
const MAX_MEGAPIXELS = 100;
const MAX_SIDE = 12_000;
// Enough of the service's message to say what went wrong, never a wall of text in the review message.
const MAX_REASON_LENGTH = 200;
// The service answers a hostile image within a second; one that does not answer is not waited for.
const IMAGES_TIMEOUT_MS = 20_000;

export type ImageReading = { ok: true; analysis: ImageAnalysis } | { ok: false; reason: string };

type Header = Pick<ImageFacts, "contentType" | "width" | "height">;

/**
 * One task's pre-screen job: store the facts on its record, queue it for reviewers and tell its gate. Until the gate
 * hears it, this job is the record's only writer (the gate starts the workflow, the other writer, only after), so a
 * redelivered job finds the facts stored and repeats only the rest, unless the gate has heard it already. On the
 * last attempt a failure is stored as the reason there are no facts: the task is reviewed all the same.
 */
export async function runPrescreenJob(env: Env, taskId: string, lastAttempt: boolean, now: Date): Promise<void> {
  let record = await getTaskRecord(env, taskId);
  // The upload writes the record before it sends the job, so a missing one is a KV read that lags: try again later.
  if (!record) throw new Error(`The record of ${taskId} cannot be read yet`);
  if (record.prescreen === null) {
    let prescreen: Prescreen;
    try {
      prescreen = await prescreenTask(env, taskId, record.task.image);
    } catch (error) {
      if (!lastAttempt) throw error;
      prescreen = unreadablePrescreen(
        record.task.image,
        `the pre-screen did not finish: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    record = updateTask({ ...record, prescreen }, {}, now.toISOString());
    await putTaskRecord(env, record);
  } else if (await prescreenHeardAtGate(env, taskId)) {
    // A repeat of a job that finished (the gate's chase crossed a slow queue): queueing the task again would make an
    // announced task claimable again.
    return;
  }
  if (record.task.status === "pending") {
    await enqueuePending(env, record);
    // Counted here rather than at upload, so no upload waits on the one shared metrics object; the gate starts no
    // workflow (which counts the decision) before prescreenDone, so a task always enters the count before it leaves.
    await recordUploadAccepted(env, record, now.getTime());
  }
  await prescreenDoneAtGate(env, taskId, now.getTime(), recordChangeEvents(record, record, now.toISOString(), true));
}

export async function prescreenTask(env: Env, taskId: string, image: ImageFacts): Promise<Prescreen> {
  const reading = await readImage(env, await readImageBytes(env, taskId), image);
  if (!reading.ok) return unreadablePrescreen(image, reading.reason);
  const { tags, perceptualHash } = reading.analysis;
  const candidates = await perceptualHashCandidates(env, perceptualHash);
  await indexPerceptualHash(env, taskId, perceptualHash, candidates.get(perceptualHash) ?? [], MAX_NEAR_DUPLICATES);
  return { facts: tags, perceptualHash, nearDuplicates: closest(candidates, perceptualHash, taskId), unreadable: null };
}

/**
 * Reads the image through the Images service: the isolate decodes only the small thumbnail the service returns,
 * so no crafted file can make it use more memory or CPU than that. Anything the service refuses is a reason.
 */
export async function readImage(env: Env, bytes: Uint8Array, header: Header): Promise<ImageReading> {
  const cannot = (why: string): ImageReading => ({ ok: false, reason: `cannot decode ${header.contentType}: ${why}` });
  if (header.width * header.height > MAX_MEGAPIXELS * 1e6 || Math.max(header.width, header.height) > MAX_SIDE) {
    return cannot(
      `${header.width}x${header.height} is more than the Images service reads (${MAX_MEGAPIXELS} MP, ${MAX_SIDE} pixels a side)`,
    );
  }
  try {
    const [info, png] = await withTimeout(Promise.all([inspectImage(env, bytes), thumbnailPng(env, bytes, THUMBNAIL)]));
    return { ok: true, analysis: analyzeThumbnail(info.contentType, info.width, info.height, readThumbnail(png)) };
  } catch (error) {
    // Only the first line: local mode appends the decoder's stack.
    return cannot((error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "");
  }
}

/** A task whose pixels could not be read is still reviewed, with what its header tells and why. */
export function unreadablePrescreen(image: Header, reason: string): Prescreen {
  const facts = shapeFacts(image.contentType, image.width, image.height);
  return { facts, perceptualHash: null, nearDuplicates: [], unreadable: reason.slice(0, MAX_REASON_LENGTH) };
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  const timeout = scheduler.wait(IMAGES_TIMEOUT_MS).then(() => {
    throw new Error(`the Images service did not answer within ${IMAGES_TIMEOUT_MS / 1000} s`);
  });
  return Promise.race([work, timeout]);
}

function closest(candidates: Map<string, string[]>, hash: string, self: string): NearDuplicate[] {
  return [...candidates]
    .flatMap(([other, taskIds]) => taskIds.map((taskId) => ({ taskId, distance: hammingDistance(hash, other) })))
    .filter((candidate) => candidate.taskId !== self && candidate.distance <= NEAR_DUPLICATE_DISTANCE)
    .sort((a, b) => a.distance - b.distance || a.taskId.localeCompare(b.taskId))
    .slice(0, MAX_NEAR_DUPLICATES);
}
