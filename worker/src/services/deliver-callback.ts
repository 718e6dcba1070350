// One attempt at a task's callback, scheduled or redelivered: check the URL again, sign the event afresh, POST it.
import { deliverCallback } from "../adapters/callbacks.ts";
import type { Settings } from "../config.ts";
import { buildCallbackMessage, callbackMessageId } from "../domain/callback-event.ts";
import { checkCallbackUrl } from "../domain/callback-url.ts";
import { type DeliveryAttempt, type DeliveryTrigger, judgeResponse, refusedAttempt } from "../domain/delivery-attempt.ts";
import type { Task } from "../domain/task.ts";

/**
 * Sends `task` as it stands to `url`, timestamped and signed now, and says how it went; it never throws for the
 * receiver's failures. Built and signed inside the attempt, so a retried workflow step signs again with its own time.
 */
export async function attemptDelivery(
  settings: Settings,
  task: Task,
  url: string,
  trigger: DeliveryTrigger,
  attempt: number,
): Promise<DeliveryAttempt> {
  const now = new Date();
  const sent = { webhookId: callbackMessageId(task), trigger, attempt, attemptedAt: now.toISOString() };
  // Settings can change between upload and any attempt; the URL is never called once it no longer passes.
  const check = checkCallbackUrl(url, { allowLoopback: settings.allowLoopbackCallbacks });
  if (!check.ok) return { ...sent, durationMs: 0, ...refusedAttempt(check.reason) };
  const response = await deliverCallback(url, settings.callbackSecrets, buildCallbackMessage(task, now));
  return { ...sent, durationMs: Date.now() - now.getTime(), ...judgeResponse(response) };
}
