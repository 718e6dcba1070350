// The review workflow from decision to final status and signed callback, with a real callback receiver.
import { env } from "cloudflare:workers";
import { introspectWorkflow } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it } from "vitest";
import type { Task } from "../src/domain/task.ts";
import { STEPS } from "../src/workflows/review-workflow.ts";
import { createQueuedTask, createTask, decide, decisionToken, passDeadline, waitForTask } from "./support/api.ts";
import { truncatedPng } from "./support/images.ts";

type Delivery = { headers: Record<string, string>; body: string };

/** A named inbox on the callback receiver, answering the given statuses in turn (then 200). */
async function receiver(statuses: number[] = []) {
  const name = crypto.randomUUID();
  const base = inject("receiverUrl");
  await fetch(`${base}/script/${name}`, { method: "PUT", body: JSON.stringify(statuses) });
  return {
    url: `${base}/hooks/${name}`,
    deliveries: async () => (await (await fetch(`${base}/deliveries/${name}`)).json()) as Delivery[],
  };
}

/** Verifies the Standard Webhooks signature the way a client would, and returns the event. */
function verified(delivery: Delivery) {
  return new Webhook(env.CALLBACK_SIGNING_SECRET).verify(delivery.body, delivery.headers) as { type: string; timestamp: string; data: Task };
}

const settled = (task: Task) => task.callback.state === "delivered" || task.callback.state === "failed";

describe("review workflow", () => {
  it("approve: tags the image, completes, and delivers one signed task.completed callback", async () => {
    const inbox = await receiver();
    const task = await createTask({ callbackUrl: inbox.url });
    expect((await decide(await decisionToken(task.taskId, "approve"))).status).toBe(200);

    const done = await waitForTask(task.taskId, settled);
    expect(done.status).toBe("completed");
    expect(done.tags).toEqual(expect.arrayContaining([{ label: "red", score: expect.any(Number), source: "colour" }]));
    expect(done.callback).toEqual({ url: inbox.url, state: "delivered", attempts: 1, lastError: null, deliveredAt: expect.any(String) });

    const [delivery, ...rest] = await inbox.deliveries();
    expect(rest).toHaveLength(0);
    expect(delivery!.headers["webhook-id"]).toBe(`msg_${task.taskId}`);
    const event = verified(delivery!);
    expect(event.type).toBe("task.completed");
    expect(event.data).toEqual({ ...done, updatedAt: event.data.updatedAt, callback: { ...done.callback, state: "pending", attempts: 0, deliveredAt: null } });
  });

  it("reject: ends rejected with no tagging and a task.rejected callback", async () => {
    const inbox = await receiver();
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject", { reason: "off-topic" }));

    const done = await waitForTask(task.taskId, settled);
    expect(done).toMatchObject({ status: "rejected", tags: null, decision: { decision: "reject", reason: "off-topic" }, callback: { state: "delivered", attempts: 1 } });
    const [delivery] = await inbox.deliveries();
    expect(verified(delivery!)).toMatchObject({ type: "task.rejected", data: { taskId: task.taskId, status: "rejected" } });
  });

  it("no decision before the deadline: ends expired, leaves the queue, and calls back task.expired", async () => {
    const inbox = await receiver();
    const task = await createQueuedTask({ callbackUrl: inbox.url });
    await passDeadline(task);

    const done = await waitForTask(task.taskId, settled);
    expect(done).toMatchObject({ status: "expired", decision: null, tags: null, callback: { state: "delivered" } });
    expect((await env.TASKS.list({ prefix: `pending:v1:${task.createdAt}:${task.taskId}` })).keys).toHaveLength(0);
    expect(verified((await inbox.deliveries())[0]!)).toMatchObject({ type: "task.expired" });
  });

  it("tagging that fails for good: retries, then ends failed with a task.failed callback", async () => {
    await using workflows = await introspectWorkflow(env.REVIEW_WORKFLOW);
    await workflows.modifyAll(async (m) => {
      await m.disableRetryDelays();
    });
    const inbox = await receiver();
    const task = await createTask({ bytes: truncatedPng(), callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "approve"));

    const done = await waitForTask(task.taskId, settled);
    expect(done).toMatchObject({ status: "failed", tags: null, callback: { state: "delivered" } });
    expect(verified((await inbox.deliveries())[0]!)).toMatchObject({ type: "task.failed" });
  });

  it("a callback answering 500 twice then 200 is delivered on attempt 3, with the same webhook-id each time", async () => {
    await using workflows = await introspectWorkflow(env.REVIEW_WORKFLOW);
    await workflows.modifyAll(async (m) => {
      await m.disableRetryDelays();
    });
    const inbox = await receiver([500, 500]);
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "approve"));

    const done = await waitForTask(task.taskId, settled);
    expect(done.callback).toEqual({ url: inbox.url, state: "delivered", attempts: 3, lastError: null, deliveredAt: expect.any(String) });
    const deliveries = await inbox.deliveries();
    expect(deliveries).toHaveLength(3);
    expect(new Set(deliveries.map((d) => d.headers["webhook-id"]))).toEqual(new Set([`msg_${task.taskId}`]));
    expect(new Set(deliveries.map((d) => d.body)).size).toBe(1);
  });

  it("a callback that never succeeds is recorded failed after every attempt, and the task keeps its status", async () => {
    await using workflows = await introspectWorkflow(env.REVIEW_WORKFLOW);
    await workflows.modifyAll(async (m) => {
      await m.disableRetryDelays();
    });
    const inbox = await receiver(Array.from({ length: 7 }, () => 503));
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject"));

    const done = await waitForTask(task.taskId, settled);
    expect(done.status).toBe("rejected");
    expect(done.callback).toEqual({ url: inbox.url, state: "failed", attempts: 7, lastError: "HTTP 503", deliveredAt: null });
    expect(await inbox.deliveries()).toHaveLength(7);
  });

  it("does not follow a redirect from the callback URL", async () => {
    await using workflows = await introspectWorkflow(env.REVIEW_WORKFLOW);
    await workflows.modifyAll(async (m) => {
      await m.disableRetryDelays();
    });
    const inbox = await receiver(Array.from({ length: 7 }, () => 302));
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject"));

    const done = await waitForTask(task.taskId, settled);
    expect(done.callback).toMatchObject({ state: "failed", attempts: 7, lastError: "HTTP 302" });
  });

  it("a task without a callback URL completes with callback state none", async () => {
    const task = await createTask();
    await decide(await decisionToken(task.taskId, "approve"));
    const done = await waitForTask(task.taskId, (t) => t.status === "completed");
    expect(done.callback).toEqual({ url: null, state: "none", attempts: 0, lastError: null, deliveredAt: null });
  });
});
