// Reading a callback: its Standard Webhooks signature checked with CALLBACK_SIGNING_SECRET, then its event, typed.
import { Webhook } from "standardwebhooks";
import type { Task } from "./types.ts";

export { WebhookVerificationError } from "standardwebhooks";

/** The body Greenlight POSTs to a task's callbackUrl once the task reaches a final state. */
export type CallbackEvent = {
  type: "task.completed" | "task.rejected" | "task.expired" | "task.failed";
  timestamp: string;
  data: Task;
};

/**
 * Verifies the webhook-id, webhook-timestamp and webhook-signature headers over the raw body (as received, before
 * any JSON parsing) and returns the event; throws WebhookVerificationError when they do not match or the timestamp
 * is more than 5 minutes off. `secret` is the `whsec_...` value; during a rotation either secret verifies.
 */
export function verifyCallback(secret: string, body: string, headers: Headers | Record<string, string>): CallbackEvent {
  const flat = headers instanceof Headers ? Object.fromEntries(headers) : headers;
  return new Webhook(secret).verify(body, flat) as CallbackEvent;
}
