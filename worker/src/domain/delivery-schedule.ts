// When a task's callback is attempted, and what its callback block says after each attempt.
import type { DeliveryAttempt } from "./delivery-attempt.ts";
import type { Callback } from "./task.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The wait before each attempt, in milliseconds: Standard Webhooks' reference schedule (Svix): at once, then 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. The last attempt comes about 27 h 35 min after the first, so a receiver
 * that is down for a day still gets the event.
 *
 * Checked against the Workflows limits (https://developers.cloudflare.com/workflows/reference/limits/): an attempt is
 * a step.sleep (none before the first), a step.do and a record step, so the schedule is 23 steps and the instance at
 * most 29 (the limit is 1,024 on Workers Free, 10,000 on Paid); the longest sleep is 10 h (the limit is 365 days); a completed
 * instance's state is kept 3 days (Free) or 7 (Paid), but nothing a client reads lives there: the task record and
 * the delivery log are in KV, and a redelivery needs no instance.
 */
export const DELIVERY_SCHEDULE: readonly number[] = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

/** The callback block after scheduled attempt `attempt`: delivered, pending until the next attempt, or failed for good. */
export function callbackAfterAttempt(callback: Callback, attempt: DeliveryAttempt): Callback {
  const endedAt = Date.parse(attempt.attemptedAt) + attempt.durationMs;
  // DELIVERY_SCHEDULE[n] is the wait before attempt n + 1; past the last attempt there is none.
  const wait = attempt.outcome === "failed" ? DELIVERY_SCHEDULE[attempt.attempt] : undefined;
  const delivered = attempt.outcome === "delivered";
  return {
    ...callback,
    state: delivered ? "delivered" : wait === undefined ? "failed" : "pending",
    attempts: attempt.attempt,
    lastError: attempt.error,
    deliveredAt: delivered ? new Date(endedAt).toISOString() : null,
    nextAttemptAt: wait === undefined ? null : new Date(endedAt + wait).toISOString(),
  };
}
