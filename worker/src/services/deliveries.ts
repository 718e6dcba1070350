// A client's view of its task's callback: the log of every attempt, and redelivery of the final event on request.
import { redeliveryTurnAtGate } from "../adapters/decision-gate.ts";
import { type DeliveryPage, listDeliveryAttempts, recordDeliveryAttempt } from "../adapters/delivery-log.ts";
import type { Settings } from "../config.ts";
import { REDELIVERY_INTERVAL_MS, type RedeliveryOutcome } from "../domain/redelivery.ts";
import { invalidRequest } from "../errors.ts";
import { attemptDelivery } from "./deliver-callback.ts";
import { findOwnTask } from "./own-task.ts";

/** A page of the task's delivery attempts, oldest first; null for a task that is missing or not the client's. */
export async function listDeliveries(
  env: Env,
  clientId: string,
  taskId: string,
  limit: number,
  cursor?: string,
): Promise<DeliveryPage | null> {
  if (!(await findOwnTask(env, clientId, taskId))) return null;
  return listDeliveryAttempts(env, taskId, limit, cursor).catch((error: unknown) => {
    // Cloudflare's KV refuses a cursor it did not issue; that is the caller's mistake, not ours.
    if (cursor !== undefined) throw invalidRequest("cursor is not one this endpoint returned.");
    throw error;
  });
}

/**
 * Sends the final event once more, with the same webhook-id so receivers deduplicate it, and logs the attempt. Only
 * once the schedule has ended: while it runs, the workflow alone delivers. The task record is left as the workflow
 * wrote it (after the review, the workflow is its only writer); the log holds the redelivery.
 */
export async function redeliverCallback(
  env: Env,
  settings: Settings,
  clientId: string,
  taskId: string,
  now: Date,
): Promise<RedeliveryOutcome> {
  const record = await findOwnTask(env, clientId, taskId);
  if (!record) return { kind: "not_found" };
  const { callback } = record.task;
  if (callback.url === null || callback.state === "none") return { kind: "no_callback" };
  if (callback.state === "pending") return { kind: "in_progress", nextAttemptAt: callback.nextAttemptAt ?? null };
  const turn = await redeliveryTurnAtGate(env, taskId, now.getTime(), REDELIVERY_INTERVAL_MS);
  if ("waitMs" in turn) return { kind: "too_soon", retryAfterSeconds: Math.ceil(turn.waitMs / 1000) };
  const attempt = await attemptDelivery(settings, record.task, callback.url, "redelivery", turn.granted);
  await recordDeliveryAttempt(env, taskId, attempt);
  return { kind: "sent", attempt };
}
