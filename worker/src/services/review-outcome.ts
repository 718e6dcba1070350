// What the review workflow reads and writes once a review has ended: each read or write is one step's work, safe to repeat.
import { settleAtGate } from "../adapters/decision-gate.ts";
import { recordDeliveryAttempt } from "../adapters/delivery-log.ts";
import { readImageBytes } from "../adapters/image-store.ts";
import { captionImage, tagImage } from "../adapters/tagger.ts";
import { dequeuePending, getTaskRecord, putTaskRecord, scheduleDeletion } from "../adapters/task-store.ts";
import type { Settings } from "../config.ts";
import type { DeliveryAttempt } from "../domain/delivery-attempt.ts";
import { FINAL_STATUSES, retriedTask, statusAfter, type Tag, type Task, type TaskRecord, updateTask } from "../domain/task.ts";
import type { SettleOutcome } from "../objects/decision-gate.ts";
import { recordReviewEnded } from "./metrics.ts";
import { publishRecordChange } from "./task-events.ts";

/** Ends the review at the task's gate, which says how it ended (decided, expired, or never opened). */
export const settleReview = (env: Env, taskId: string): Promise<SettleOutcome> => settleAtGate(env, taskId);

/** The task's record, which the upload wrote before the gate could end the review: one not found yet is KV lagging. */
export async function loadTaskRecord(env: Env, taskId: string): Promise<TaskRecord> {
  const found = await getTaskRecord(env, taskId);
  // Thrown so the step retries until KV has caught up.
  if (!found) throw new Error(`The record of ${taskId} cannot be read yet`);
  return found;
}

/**
 * The change a settled review makes to its task: decided, or expired (the workflow stops at a gate that was never
 * opened). A decision on a retried task starts its work afresh.
 */
export function decisionChange(record: TaskRecord, settlement: SettleOutcome): Partial<Task> {
  if (settlement.outcome !== "decided") return { status: "expired" };
  const { decision, retries } = settlement;
  return { status: statusAfter(decision), decision, ...(retries > 0 && retriedTask(record.task, retries)) };
}

/** Writes one change of the task's record, as made at `now`; `record` is the record before it. */
export type RecordWrite = (env: Env, record: TaskRecord, change: Partial<Task>, now: string) => Promise<void>;

/**
 * Writes the record with `change` applied and tells the task's streams, and schedules the task's deletion when the
 * change gives it a final status.
 */
export const recordTaskChange: RecordWrite = async (env, record, change, now) => {
  const updated = updateTask(record, change, now);
  await putTaskRecord(env, updated);
  await publishRecordChange(env, record, updated, now);
  // Retention counts from the moment a task reaches its final state.
  if (change.status && FINAL_STATUSES.has(change.status)) await scheduleDeletion(env, record.task.taskId, now, record.task.retries ?? 0);
};

/** Records the review's outcome, then takes the task out of the queue reviewers list. */
export const recordDecisionOutcome: RecordWrite = async (env, record, change, now) => {
  await recordTaskChange(env, record, change, now);
  await dequeuePending(env, record);
  await recordReviewEnded(env, record, change, now);
};

/** Records `attempt` on the task (the change says how its callback now stands), then in its delivery log. */
export const recordCallbackAttempt =
  (attempt: DeliveryAttempt): RecordWrite =>
  async (env, record, change, now) => {
    await recordTaskChange(env, record, change, now);
    await recordDeliveryAttempt(env, record.task.taskId, attempt);
  };

/** Tags the approved image of the task. */
export async function tagApprovedImage(env: Env, settings: Settings, taskId: string): Promise<Tag[]> {
  return tagImage(env, settings, await readImageBytes(env, taskId));
}

/** Captions the approved image of the task with `model`. */
export async function captionApprovedImage(env: Env, model: string, taskId: string): Promise<string> {
  return captionImage(env, model, await readImageBytes(env, taskId));
}
