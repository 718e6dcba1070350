// Queue health: review events recorded where they become true, and the figures read back for the API and the console.
// Metrics are a view of the work, never part of it: a failure to record one is logged and the upload or step goes on.
import { readHourly, readMetrics, recordReviewEvent } from "../adapters/queue-metrics.ts";
import { VIA_DEADLINE } from "../domain/decision.ts";
import type { HourlyPoint, Metrics } from "../domain/metrics.ts";
import type { Task, TaskRecord } from "../domain/task.ts";
import type { ReviewEvent } from "../objects/queue-metrics.ts";

/** The dashboard's chart spans the last 7 days, hour by hour. */
const CHART_HOURS = 7 * 24;

async function recordEvent(env: Env, event: ReviewEvent, now: number): Promise<void> {
  try {
    await recordReviewEvent(env, event, now);
  } catch (error) {
    console.error(JSON.stringify({ event: "metrics_record_failed", kind: event.kind, taskId: event.taskId, error: String(error) }));
  }
}

/** A pre-screened task now waits for reviewers; it counts from its upload. */
export const recordUploadAccepted = (env: Env, record: TaskRecord, now: number): Promise<void> =>
  recordEvent(env, { kind: "accepted", taskId: record.task.taskId, at: Date.parse(record.task.createdAt) }, now);

/**
 * The review of `record`'s task ended with `change`: a decision, timed from the upload, or a missed deadline (which
 * expired the task, or rejected it under `onDeadline: "reject"`: no reviewer decided, so it counts as missed).
 */
export function recordReviewEnded(env: Env, record: TaskRecord, change: Partial<Task>, now: string): Promise<void> {
  const { taskId, createdAt, reviewDeadline } = record.task;
  const decision = change.decision?.via === VIA_DEADLINE ? undefined : change.decision;
  const event: ReviewEvent = decision
    ? {
        kind: "decided",
        taskId,
        at: Date.parse(decision.decidedAt),
        reviewer: decision.reviewer,
        decision: decision.decision,
        waitMs: Date.parse(decision.decidedAt) - Date.parse(createdAt),
      }
    : { kind: "expired", taskId, at: Date.parse(reviewDeadline) };
  return recordEvent(env, event, Date.parse(now));
}

/** The task is being deleted: if its review was still open, it leaves the queue uncounted. */
export async function recordTaskDeleted(env: Env, record: TaskRecord, now: number): Promise<void> {
  if (record.task.status === "pending") await recordEvent(env, { kind: "withdrawn", taskId: record.task.taskId, at: now }, now);
}

export const queueMetrics = (env: Env, now: number): Promise<Metrics> => readMetrics(env, now);

/** Peak queue depth and median time to decision per hour over the last 7 days, oldest first. */
export const queueHistory = (env: Env, now: number): Promise<HourlyPoint[]> => readHourly(env, now, CHART_HOURS);
