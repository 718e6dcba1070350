// Sending a task's final event again on its client's request: how often, and what asking can end in.
import type { DeliveryAttempt } from "./delivery-attempt.ts";

/** One redelivery a minute per task: enough to replay an event a receiver lost, too few to flood it. */
export const REDELIVERY_INTERVAL_MS = 60_000;

export type RedeliveryOutcome =
  | { kind: "sent"; attempt: DeliveryAttempt }
  | { kind: "not_found" }
  | { kind: "no_callback" }
  | { kind: "in_progress"; nextAttemptAt: string | null }
  | { kind: "too_soon"; retryAfterSeconds: number };

/** What the task's gate answers when asked for a redelivery turn: its number, or how long to wait for one. */
export type RedeliveryTurn = { granted: number } | { waitMs: number };
