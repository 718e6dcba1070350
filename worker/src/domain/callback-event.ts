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

/** A message ready to send: the same id, timestamp and body on every retry. */
export type CallbackMessage = { id: string; timestamp: number; body: string };

export function buildCallbackMessage(task: Task, now: Date): CallbackMessage {
  const type = EVENT_TYPES[task.status];
  if (!type) throw new Error(`A task in status ${task.status} has no callback event`);
  return {
    // One final event per task, so the task id names it; receivers dedupe retries on it.
    id: `msg_${task.taskId}`,
    timestamp: Math.floor(now.getTime() / 1000),
    body: JSON.stringify({ type, timestamp: now.toISOString(), data: task }),
  };
}

/** The three webhook-* headers for a message, keyed with a `whsec_` secret. */
export function signCallbackMessage(secret: string, message: CallbackMessage): Record<string, string> {
  const signature = new Webhook(secret).sign(message.id, new Date(message.timestamp * 1000), message.body);
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(message.timestamp),
    "webhook-signature": signature,
  };
}
