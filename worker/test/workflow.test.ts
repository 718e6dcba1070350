// The review workflow from decision to final status and signed callback, with a real callback receiver.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { DeliveryAttempt } from "../src/domain/delivery-attempt.ts";
import { DELIVERY_SCHEDULE } from "../src/domain/delivery-schedule.ts";
import { api, asClient, createQueuedTask, createTask, decide, decisionToken, passDeadline, waitForTask } from "./support/api.ts";
import { receiver, settled, verified, verifiedAt, withoutWaits } from "./support/callbacks.ts";
import { truncatedPng } from "./support/images.ts";
import { taggerCalls } from "./support/tagger-calls.ts";

const HOUR = 3_600_000;

async function deliveryLog(taskId: string): Promise<DeliveryAttempt[]> {
  const response = await api(`/v1/tasks/${taskId}/deliveries?limit=100`, { headers: asClient() });
  return ((await response.json()) as { items: DeliveryAttempt[] }).items;
}

describe("review workflow", () => {
  it("approve: tags the image, completes, and delivers one signed task.completed callback", async () => {
    const inbox = await receiver();
    const task = await createTask({ callbackUrl: inbox.url });
    expect((await decide(await decisionToken(task.taskId, "approve"))).status).toBe(200);

    const done = await waitForTask(task.taskId, settled);
    expect(done.status).toBe("completed");
    expect(done.tags).toEqual(expect.arrayContaining([{ label: "red", score: expect.any(Number), source: "colour" }]));
    expect(done.callback).toEqual({
      url: inbox.url,
      state: "delivered",
      attempts: 1,
      lastError: null,
      deliveredAt: expect.any(String),
      nextAttemptAt: null,
    });

    const [delivery, ...rest] = await inbox.deliveries();
    expect(rest).toHaveLength(0);
    expect(delivery!.headers["webhook-id"]).toBe(`msg_${task.taskId}`);
    const event = verified(delivery!);
    expect(event.type).toBe("task.completed");
    // The task as it stood at the attempt: no attempt made yet, so no next one scheduled either.
    expect(event.data).toEqual({
      ...done,
      updatedAt: event.data.updatedAt,
      callback: { url: inbox.url, state: "pending", attempts: 0, lastError: null, deliveredAt: null },
    });
  });

  it("reject: ends rejected with no tagging and a task.rejected callback", async () => {
    const inbox = await receiver();
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject", { reason: "off-topic" }));

    const done = await waitForTask(task.taskId, settled);
    expect(done).toMatchObject({
      status: "rejected",
      tags: null,
      decision: { decision: "reject", reason: "off-topic" },
      callback: { state: "delivered", attempts: 1 },
    });
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

  it("an image the tagger can never read: asked once, then failed with a task.failed callback", async () => {
    await using _workflows = await withoutWaits();
    using tagger = taggerCalls();
    const inbox = await receiver();
    const task = await createTask({ bytes: truncatedPng(), callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "approve"));

    const done = await waitForTask(task.taskId, settled);
    expect(done).toMatchObject({ status: "failed", tags: null, callback: { state: "delivered" } });
    expect(verified((await inbox.deliveries())[0]!)).toMatchObject({ type: "task.failed" });
    expect(tagger.count).toBe(1);
  });

  it("a tagger that is busy for five attempts is waited out: the sixth tags the image and the task completes", async () => {
    await using _workflows = await withoutWaits();
    using tagger = taggerCalls([503, 503, 503, 503, 503]);
    const task = await createTask();
    await decide(await decisionToken(task.taskId, "approve"));

    const done = await waitForTask(task.taskId, (t) => t.status === "completed" || t.status === "failed");
    expect(done.status).toBe("completed");
    expect(done.tags).toEqual(expect.arrayContaining([{ label: "red", score: expect.any(Number), source: "colour" }]));
    expect(tagger.count).toBe(6);
  });

  it("a callback answering 500 twice then 200 is delivered on attempt 3, with the same webhook-id and each attempt's own body", async () => {
    await using _workflows = await withoutWaits();
    const inbox = await receiver([500, 500]);
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "approve"));

    const done = await waitForTask(task.taskId, settled);
    expect(done.callback).toEqual({
      url: inbox.url,
      state: "delivered",
      attempts: 3,
      lastError: null,
      deliveredAt: expect.any(String),
      nextAttemptAt: null,
    });
    const deliveries = await inbox.deliveries();
    expect(deliveries).toHaveLength(3);
    expect(new Set(deliveries.map((d) => d.headers["webhook-id"]))).toEqual(new Set([`msg_${task.taskId}`]));
    // Each body says the task as it stood at its attempt, the attempts before it included.
    expect(deliveries.map((d) => verified(d).data.callback)).toMatchObject([
      { state: "pending", attempts: 0, lastError: null },
      { state: "pending", attempts: 1, lastError: "HTTP 500" },
      { state: "pending", attempts: 2, lastError: "HTTP 500" },
    ]);
  });

  it("a callback that never succeeds is tried on the whole schedule, each attempt signed at its own time, then recorded failed", async () => {
    await using _workflows = await withoutWaits();
    const inbox = await receiver(DELIVERY_SCHEDULE.map(() => 503));
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject"));

    const done = await waitForTask(task.taskId, settled);
    expect(done.status).toBe("rejected");
    expect(done.callback).toEqual({
      url: inbox.url,
      state: "failed",
      attempts: 8,
      lastError: "HTTP 503",
      deliveredAt: null,
      nextAttemptAt: null,
    });
    const deliveries = await inbox.deliveries();
    const log = await deliveryLog(task.taskId);
    expect(deliveries).toHaveLength(8);
    expect(log.map((entry) => entry.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    deliveries.forEach((delivery, index) => {
      expect(delivery.headers["webhook-id"]).toBe(`msg_${task.taskId}`);
      // Stamped when the attempt was made, and verified as a receiver would on arrival.
      expect(Number(delivery.headers["webhook-timestamp"])).toBe(Math.floor(Date.parse(log[index]!.attemptedAt) / 1000));
      const previous = log[index - 1];
      expect(verifiedAt(delivery, delivery.receivedAt).data.callback).toEqual({
        url: inbox.url,
        state: "pending",
        attempts: index,
        lastError: previous ? "HTTP 503" : null,
        deliveredAt: null,
        // Announced when the previous attempt ended: that attempt's end plus the schedule's wait before this one.
        ...(previous && {
          nextAttemptAt: new Date(Date.parse(previous.attemptedAt) + previous.durationMs + DELIVERY_SCHEDULE[index]!).toISOString(),
        }),
      });
    });
  });

  it("signs each attempt at its own time: a receiver keeping the 5-minute tolerance accepts an attempt made 2 hours after the first", async () => {
    const inbox = await receiver([503]);
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject"));
    await waitForTask(task.taskId, (t) => t.callback.attempts === 1);

    // The workflow waits the schedule's first 5 s for real; its code runs in this isolate, so it reads this clock.
    const later = Date.now() + 2 * HOUR;
    vi.setSystemTime(later);
    try {
      await waitForTask(task.taskId, settled, 20_000);
    } finally {
      vi.useRealTimers();
    }
    const [first, second] = await inbox.deliveries();
    expect(verifiedAt(first!, first!.receivedAt).data.callback).toMatchObject({ attempts: 0 });
    expect(Number(second!.headers["webhook-timestamp"])).toBe(Math.floor(later / 1000));
    expect(verifiedAt(second!, later).data.callback).toMatchObject({ attempts: 1, lastError: "HTTP 503" });
  }, 30_000);

  it("stops at once when the receiver answers 410 Gone, and records why", async () => {
    await using workflows = await withoutWaits();
    const inbox = await receiver([410]);
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject"));

    const done = await waitForTask(task.taskId, settled);
    expect(done.callback).toEqual({
      url: inbox.url,
      state: "failed",
      attempts: 1,
      lastError: "HTTP 410 Gone: the receiver asked for no more deliveries",
      deliveredAt: null,
      nextAttemptAt: null,
    });
    const [instance] = await workflows.get();
    await instance!.waitForStatus("complete");
    expect(await inbox.deliveries()).toHaveLength(1);
    expect(await deliveryLog(task.taskId)).toMatchObject([{ attempt: 1, outcome: "gone", status: 410 }]);
  });

  it("does not follow a redirect from the callback URL", async () => {
    await using _workflows = await withoutWaits();
    const inbox = await receiver(DELIVERY_SCHEDULE.map(() => 302));
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject"));

    const done = await waitForTask(task.taskId, settled);
    expect(done.callback).toMatchObject({ state: "failed", attempts: 8, lastError: "HTTP 302" });
  });

  it("a task without a callback URL completes with callback state none", async () => {
    const task = await createTask();
    await decide(await decisionToken(task.taskId, "approve"));
    const done = await waitForTask(task.taskId, (t) => t.status === "completed");
    expect(done.callback).toEqual({ url: null, state: "none", attempts: 0, lastError: null, deliveredAt: null });
  });
});

describe("delivery schedule", () => {
  it("is the Standard Webhooks reference schedule, spans more than a day, and fits the Workflows limits", () => {
    expect(DELIVERY_SCHEDULE).toEqual([0, 5_000, 5 * 60_000, 30 * 60_000, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]);
    expect(DELIVERY_SCHEDULE.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThan(24 * HOUR);
    for (const [index, wait] of DELIVERY_SCHEDULE.slice(1).entries()) expect(wait).toBeGreaterThanOrEqual(DELIVERY_SCHEDULE[index]!);
    // https://developers.cloudflare.com/workflows/reference/limits/: step.sleep up to 365 days; 1,024 steps an
    // instance on Workers Free. An attempt takes a sleep, the attempt and its record; seven steps come before them.
    expect(Math.max(...DELIVERY_SCHEDULE)).toBeLessThanOrEqual(365 * 24 * HOUR);
    expect(7 + 3 * DELIVERY_SCHEDULE.length).toBeLessThanOrEqual(1024);
  });
});
