// One try at delivering a task's callback, as the delivery log keeps it, and how a receiver's answer is judged.
import { z } from "zod";

export const DeliveryAttemptSchema = z
  .object({
    webhookId: z.string().meta({
      description:
        "The webhook-id header sent: msg_<taskId> (msg_<taskId>_retry<n> after the nth retry), the same on every attempt of that event.",
    }),
    trigger: z.enum(["schedule", "redelivery"]),
    attempt: z.number().int().min(1).meta({ description: "The scheduled attempt's number, or the redelivery's, from 1." }),
    attemptedAt: z.iso.datetime(),
    durationMs: z.number().int().min(0),
    outcome: z.enum(["delivered", "failed", "gone", "refused"]).meta({
      description:
        "gone: the receiver answered 410 and gets no more attempts; refused: the URL no longer passes the SSRF rules, nothing was sent.",
    }),
    status: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when none came back." }),
    error: z.string().nullable(),
  })
  .meta({ id: "DeliveryAttempt" });
export type DeliveryAttempt = z.infer<typeof DeliveryAttemptSchema>;
export type DeliveryTrigger = DeliveryAttempt["trigger"];

/** What one POST to a callback URL came back with: a status, or why there was none. */
export type CallbackResponse = { status: number } | { status: null; error: string };

type Verdict = Pick<DeliveryAttempt, "outcome" | "status" | "error">;

/**
 * Any 2xx is delivered (Standard Webhooks); 410 Gone says the target is gone for good (RFC 9110 §15.5.11), so the
 * schedule stops at once; anything else, a redirect included, is tried again.
 */
export function judgeResponse(response: CallbackResponse): Verdict {
  const { status } = response;
  if (status === null) return { outcome: "failed", status, error: response.error };
  if (status >= 200 && status < 300) return { outcome: "delivered", status, error: null };
  if (status === 410) return { outcome: "gone", status, error: "HTTP 410 Gone: the receiver asked for no more deliveries" };
  return { outcome: "failed", status, error: `HTTP ${status}` };
}

/** An attempt the SSRF rules stopped before anything was sent. */
export const refusedAttempt = (reason: string): Verdict => ({ outcome: "refused", status: null, error: reason });
