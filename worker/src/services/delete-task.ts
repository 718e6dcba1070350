// Deleting a task, by its client or at the end of retention: its review closes for good, its work stops, and
// everything it left (image, record, queue and index entries, the delivery log) is removed.
import { withdrawAtGate } from "../adapters/decision-gate.ts";
import { deleteDeliveryAttempts } from "../adapters/delivery-log.ts";
import { deleteImage } from "../adapters/image-store.ts";
import { stopReview } from "../adapters/review-workflow.ts";
import { deleteTaskRecord, dequeuePending, unindexPerceptualHash } from "../adapters/task-store.ts";
import type { TaskRecord } from "../domain/task.ts";
import { recordTaskDeleted } from "./metrics.ts";
import { findOwnTask } from "./own-task.ts";

/** Deletes the client's own task; false when there is none (another client's task counts as none). */
export async function deleteTask(env: Env, clientId: string, taskId: string, now: number): Promise<boolean> {
  const record = await findOwnTask(env, clientId, taskId);
  if (!record) return false;
  await eraseTask(env, record, now);
  return true;
}

/**
 * The gate closes first, so no decision, pre-screen or alarm starts anything new; a workflow already at work is
 * stopped, so no callback goes out; the record goes last, so a deletion cut short is finished by the next attempt.
 */
export async function eraseTask(env: Env, record: TaskRecord, now: number): Promise<void> {
  const taskId = record.task.taskId;
  const gate = await withdrawAtGate(env, taskId, now);
  await recordTaskDeleted(env, record, now);
  if (gate?.finishing) await stopReview(env, taskId);
  const hash = record.prescreen?.perceptualHash;
  await Promise.all([
    deleteImage(env, taskId),
    dequeuePending(env, record),
    deleteDeliveryAttempts(env, taskId),
    ...(hash ? [unindexPerceptualHash(env, taskId, hash)] : []),
  ]);
  await deleteTaskRecord(env, taskId);
}
