// The pending queue as reviewer tooling sees it: listing, claiming with a lease, confirming announcements, and how a review stands.
import { announceAtGate, leaseAtGate, reviewAtGate } from "../adapters/decision-gate.ts";
import { getTaskRecord, listClaimable, listPending, markAnnounced } from "../adapters/task-store.ts";
import type { Settings } from "../config.ts";
import { invalidRequest } from "../errors.ts";
import { type Announcement, type ReviewItem, type ReviewStatus, reviewedStatus } from "../domain/review.ts";
import type { TaskRecord } from "../domain/task.ts";
import { type IndexLease, leaseFromIndex } from "./index-lease.ts";
import { toReviewItem } from "./review-items.ts";

export async function listReviews(env: Env, settings: Settings, origin: string, limit: number, cursor?: string, now = Date.now()) {
  const page = await listPending(env, limit, cursor).catch((error: unknown) => {
    // Cloudflare's KV refuses a cursor it did not issue; that is the caller's mistake, not ours.
    if (cursor !== undefined) throw invalidRequest("cursor is not one this endpoint returned.");
    throw error;
  });
  const records = await pendingRecords(env, page.taskIds);
  const items = await Promise.all(records.map((record) => toReviewItem(env, settings, origin, record, now)));
  return { items, nextCursor: page.cursor };
}

/**
 * Hands out up to `limit` pending tasks, oldest first, each to exactly one caller (the gate decides). It reads only
 * the claimable index, which announced tasks have left, so its cost follows `limit` and the unannounced claims still
 * in their lease, not the backlog.
 */
export async function claimReviews(env: Env, settings: Settings, origin: string, limit: number, now: number): Promise<ReviewItem[]> {
  const taskIds = await leaseFromIndex(
    env,
    (pageSize, cursor) => listClaimable(env, pageSize, cursor),
    async (entry): Promise<IndexLease<string>> => {
      const outcome = await leaseAtGate(env, entry.taskId, now, settings.claimLeaseMs);
      return outcome === "leased" ? { outcome, value: entry.taskId } : { outcome };
    },
    limit,
  );
  const records = await pendingRecords(env, taskIds);
  return Promise.all(records.map((record) => toReviewItem(env, settings, origin, record, now)));
}

/** Records where the task was posted; false for a task that does not exist. */
export async function confirmAnnouncement(env: Env, taskId: string, announcement: Announcement): Promise<boolean> {
  const record = await getTaskRecord(env, taskId);
  if (!record || !(await announceAtGate(env, taskId, announcement))) return false;
  await markAnnounced(env, record);
  return true;
}

export type TaskReview = { record: TaskRecord; review: ReviewStatus };

/** How a review stands, from the task's gate and its record (which can lag); null for a task that does not exist. */
export async function reviewStatus(env: Env, taskId: string, now: number): Promise<ReviewStatus | null> {
  return (await readReview(env, taskId, now))?.review ?? null;
}

/** A task and how its review stands, read once each, for a page that shows both; null unless both exist. */
export async function reviewTask(env: Env, taskId: string, now: number): Promise<TaskReview | null> {
  const found = await readReview(env, taskId, now);
  return found?.record ? { record: found.record, review: found.review } : null;
}

async function readReview(env: Env, taskId: string, now: number): Promise<{ record: TaskRecord | null; review: ReviewStatus } | null> {
  const [gate, record] = await Promise.all([reviewAtGate(env, taskId, now), getTaskRecord(env, taskId)]);
  if (!gate) return null;
  const review: ReviewStatus = {
    taskId,
    status: reviewedStatus(gate, record?.task.status),
    reviewDeadline: new Date(gate.deadline).toISOString(),
    decision: gate.decision,
    announcement: gate.announcement,
    approvals: gate.approvals,
    approvalsRequired: gate.approvalsRequired,
    stages: gate.stages,
  };
  return { record, review };
}

// KV listing lags record writes, so a listed key may belong to a task that was decided a moment ago.
async function pendingRecords(env: Env, taskIds: string[]): Promise<TaskRecord[]> {
  const records = await Promise.all(taskIds.map((taskId) => getTaskRecord(env, taskId)));
  return records.filter((record): record is TaskRecord => record?.task.status === "pending");
}
