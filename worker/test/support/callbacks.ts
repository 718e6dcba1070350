// Helpers for tests of callback delivery: scripted inboxes on the callback receiver, signature checks, fast schedules.
import { introspectWorkflow } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { inject, vi } from "vitest";
import type { Task } from "../../src/domain/task.ts";

export type Delivery = { headers: Record<string, string>; body: string; receivedAt: number };
export type CallbackEvent = { type: string; timestamp: string; data: Task };

/** A named inbox on the callback receiver, answering the given statuses in turn (then 200). */
export async function receiver(statuses: number[] = []) {
  const name = crypto.randomUUID();
  const base = inject("receiverUrl");
  await fetch(`${base}/script/${name}`, { method: "PUT", body: JSON.stringify(statuses) });
  return {
    url: `${base}/hooks/${name}`,
    deliveries: async () => (await (await fetch(`${base}/deliveries/${name}`)).json()) as Delivery[],
  };
}

/** Verifies the Standard Webhooks signature the way a client would, 5-minute tolerance included, and returns the event. */
export function verified(delivery: Delivery) {
  return new Webhook(env.CALLBACK_SIGNING_SECRET).verify(delivery.body, delivery.headers) as CallbackEvent;
}

/** The same check made by a receiver whose clock reads `at` (ms). */
export function verifiedAt(delivery: Delivery, at: number) {
  vi.setSystemTime(at);
  try {
    return verified(delivery);
  } finally {
    vi.useRealTimers();
  }
}

export const settled = (task: Task) => task.callback.state === "delivered" || task.callback.state === "failed";

/**
 * Runs every review workflow started until the returned introspector is disposed with no waits: neither the delivery
 * schedule's sleeps nor step retry delays.
 */
export async function withoutWaits() {
  const workflows = await introspectWorkflow(env.REVIEW_WORKFLOW);
  await workflows.modifyAll(async (m) => {
    await m.disableSleeps();
    await m.disableRetryDelays();
  });
  return workflows;
}
