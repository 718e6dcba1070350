// The event a client's callback URL receives, signed per the Standard Webhooks specification.
import { Webhook } from "standardwebhooks";
import type { Task, TaskStatus } from "./task.ts";

export type CallbackEventType = "task.completed" | "task.rejected" | "task.expired" | "task.failed";

const EVENT_TYPES: Partial<Record<TaskStatus, CallbackEventType>> = {
  completed: "task.completed",
  rejected: "task.rejected",
  expired: "task.expired",
  failed: "task.failed",
};

/**
 * One attempt's message, built when the attempt is made: the id never changes, while the timestamp and body are the
 * attempt's own, as Standard Webhooks asks (receivers refuse a timestamp more than 5 minutes off their clock).
 */
export type CallbackMessage = { id: string; timestamp: number; body: string };

/**
 * One final event per run of a task's work, so the task id names it (and the retry, after a failed task is tried
 * again: a new event the receiver must not drop as a duplicate); receivers dedupe attempts and redeliveries on it.
 */
export const callbackMessageId = (task: Pick<Task, "taskId" | "retries">) =>
  task.retries ? `msg_${task.taskId}_retry${task.retries}` : `msg_${task.taskId}`;

/** The event for `task` as it stands, stamped `now`. */
export function buildCallbackMessage(task: Task, now: Date): CallbackMessage {
  const type = EVENT_TYPES[task.status];
  if (!type) throw new Error(`A task in status ${task.status} has no callback event`);
  return {
    id: callbackMessageId(task),
    timestamp: Math.floor(now.getTime() / 1000),
    body: JSON.stringify({ type, timestamp: now.toISOString(), data: task }),
  };
}

/**
 * The three webhook-* headers for a message, with one signature per `whsec_` secret (newest first). Standard Webhooks
 * makes webhook-signature a space-delimited list for this: while a secret is rotated, a receiver holding either the
 * old or the new one finds a signature it can verify.
 */
export function signCallbackMessage(secrets: readonly string[], message: CallbackMessage): Record<string, string> {
  const timestamp = new Date(message.timestamp * 1000);
  const signatures = secrets.map((secret) => new Webhook(secret).sign(message.id, timestamp, message.body));
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(message.timestamp),
    "webhook-signature": signatures.join(" "),
  };
}
