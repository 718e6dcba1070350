// The delivery log and redelivery: GET /v1/tasks/:id/deliveries and POST /v1/tasks/:id/callback/redeliver.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { DeliveryAttempt } from "../src/domain/delivery-attempt.ts";
import { DELIVERY_SCHEDULE } from "../src/domain/delivery-schedule.ts";
import type { Task, TaskRecord } from "../src/domain/task.ts";
import {
  api,
  asClient,
  createQueuedTask,
  createTask,
  decide,
  decisionToken,
  getTask,
  OTHER_CLIENT_KEY,
  waitForTask,
} from "./support/api.ts";
import { receiver, settled, verified, withoutWaits } from "./support/callbacks.ts";

const NOT_FOUND = { error: { code: "task_not_found", message: "No task with this id." } };

const listDeliveries = (taskId: string, query = "", key?: string) =>
  api(`/v1/tasks/${taskId}/deliveries${query}`, { headers: asClient(key) });
const redeliver = (taskId: string, key?: string) =>
  api(`/v1/tasks/${taskId}/callback/redeliver`, { method: "POST", headers: asClient(key) });

async function deliveryLog(taskId: string): Promise<DeliveryAttempt[]> {
  return ((await (await listDeliveries(taskId, "?limit=100")).json()) as { items: DeliveryAttempt[] }).items;
}

/** A task whose callback schedule has ended, delivered on the first attempt unless `statuses` say otherwise. */
async function settledTask(statuses: number[] = []) {
  const inbox = await receiver(statuses);
  const task = await createTask({ callbackUrl: inbox.url });
  await decide(await decisionToken(task.taskId, "reject"));
  return { inbox, task: await waitForTask(task.taskId, settled) };
}

const scheduled = (taskId: string, attempt: number, verdict: Pick<DeliveryAttempt, "outcome" | "status" | "error">) => ({
  webhookId: `msg_${taskId}`,
  trigger: "schedule",
  attempt,
  attemptedAt: expect.any(String),
  durationMs: expect.any(Number),
  ...verdict,
});

describe("GET /v1/tasks/:id/deliveries", () => {
  it("lists every attempt oldest first: its time, HTTP status or error, duration and webhook-id", async () => {
    await using _workflows = await withoutWaits();
    const { inbox, task } = await settledTask([500]);

    const response = await listDeliveries(task.taskId);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: DeliveryAttempt[]; nextCursor: string | null };
    expect(body).toEqual({
      items: [
        scheduled(task.taskId, 1, { outcome: "failed", status: 500, error: "HTTP 500" }),
        scheduled(task.taskId, 2, { outcome: "delivered", status: 200, error: null }),
      ],
      nextCursor: null,
    });
    const [first, second] = body.items;
    // Each entry is the attempt the receiver saw: its webhook-timestamp is the attempt's own time.
    const deliveries = await inbox.deliveries();
    expect(deliveries.map((d) => Number(d.headers["webhook-timestamp"]))).toEqual(
      body.items.map((item) => Math.floor(Date.parse(item.attemptedAt) / 1000)),
    );
    expect(Date.parse(second!.attemptedAt)).toBeGreaterThanOrEqual(Date.parse(first!.attemptedAt) + first!.durationMs);
    expect(task.callback.deliveredAt).toBe(new Date(Date.parse(second!.attemptedAt) + second!.durationMs).toISOString());
    expect((await env.TASKS.list({ prefix: `deliveries:v1:${task.taskId}:` })).keys).toHaveLength(2);
  });

  it("pages with limit and cursor", async () => {
    await using _workflows = await withoutWaits();
    const { task } = await settledTask([503]);

    const firstPage = (await (await listDeliveries(task.taskId, "?limit=1")).json()) as {
      items: DeliveryAttempt[];
      nextCursor: string | null;
    };
    expect(firstPage).toEqual({
      items: [scheduled(task.taskId, 1, { outcome: "failed", status: 503, error: "HTTP 503" })],
      nextCursor: expect.any(String),
    });
    const cursor = encodeURIComponent(firstPage.nextCursor!);
    expect(await (await listDeliveries(task.taskId, `?limit=1&cursor=${cursor}`)).json()).toEqual({
      items: [scheduled(task.taskId, 2, { outcome: "delivered", status: 200, error: null })],
      nextCursor: null,
    });
  });

  it("refuses a limit out of range with 400", async () => {
    const task = await createTask();
    const response = await listDeliveries(task.taskId, "?limit=0");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: "invalid_request",
        message: "The request is not valid.",
        details: { issues: [{ path: "limit", message: expect.any(String) }] },
      },
    });
  });

  it("answers 404 for another client's task exactly as for a missing one", async () => {
    const { task } = await settledTask();
    for (const response of [
      await listDeliveries(task.taskId, "", OTHER_CLIENT_KEY),
      await listDeliveries("tsk_00000000000000000000000000000000"),
    ]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(NOT_FOUND);
    }
  });

  it("is empty before the first attempt", async () => {
    const task = await createTask({ callbackUrl: (await receiver()).url });
    expect(await (await listDeliveries(task.taskId)).json()).toEqual({ items: [], nextCursor: null });
  });
});

describe("the task's callback while the schedule runs", () => {
  it("says when the next attempt is due, refuses redelivery until the schedule ends, and keeps that time", async () => {
    const inbox = await receiver([503]);
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject"));

    const waiting = await waitForTask(task.taskId, (t) => t.callback.attempts === 1);
    const [first] = await deliveryLog(task.taskId);
    const nextAttemptAt = new Date(Date.parse(first!.attemptedAt) + first!.durationMs + DELIVERY_SCHEDULE[1]!).toISOString();
    expect(waiting.callback).toEqual({
      url: inbox.url,
      state: "pending",
      attempts: 1,
      lastError: "HTTP 503",
      deliveredAt: null,
      nextAttemptAt,
    });

    const refused = await redeliver(task.taskId);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: {
        code: "callback_in_progress",
        message: "The callback is still on its delivery schedule; redeliver it once it is delivered or failed.",
        details: { nextAttemptAt },
      },
    });
    expect(await inbox.deliveries()).toHaveLength(1);

    // The workflow sleeps the schedule's 5 s for real and makes attempt 2 no earlier than it said.
    const done = await waitForTask(task.taskId, settled, 20_000);
    expect(done.callback).toMatchObject({ state: "delivered", attempts: 2, nextAttemptAt: null });
    const [, second] = await deliveryLog(task.taskId);
    expect(Date.parse(second!.attemptedAt)).toBeGreaterThanOrEqual(Date.parse(nextAttemptAt));
  }, 30_000);
});

describe("POST /v1/tasks/:id/callback/redeliver", () => {
  it("sends the final event again with the same webhook-id and a fresh signature, logs it and answers the attempt", async () => {
    const { inbox, task } = await settledTask();

    const response = await redeliver(task.taskId);
    expect(response.status).toBe(200);
    const attempt = (await response.json()) as DeliveryAttempt;
    expect(attempt).toEqual({
      webhookId: `msg_${task.taskId}`,
      trigger: "redelivery",
      attempt: 1,
      attemptedAt: expect.any(String),
      durationMs: expect.any(Number),
      outcome: "delivered",
      status: 200,
      error: null,
    });

    const [original, again] = await inbox.deliveries();
    expect(again!.headers["webhook-id"]).toBe(original!.headers["webhook-id"]);
    expect(Number(again!.headers["webhook-timestamp"])).toBe(Math.floor(Date.parse(attempt.attemptedAt) / 1000));
    expect(again!.headers["webhook-signature"]).not.toBe(original!.headers["webhook-signature"]);
    // The event as the task now stands, its delivered callback included.
    const event = verified(again!);
    expect(event.type).toBe("task.rejected");
    expect(event.data).toEqual(task);
    expect(await deliveryLog(task.taskId)).toEqual([
      scheduled(task.taskId, 1, { outcome: "delivered", status: 200, error: null }),
      attempt,
    ]);
    // After the review only the workflow writes the task; the redelivery lives in the log.
    expect(await getTask(task.taskId)).toEqual(task);
  });

  it("redelivers a callback that failed once the receiver is back", async () => {
    await using _workflows = await withoutWaits();
    const { inbox, task } = await settledTask(DELIVERY_SCHEDULE.map(() => 503));
    expect(task.callback).toMatchObject({ state: "failed", attempts: 8 });

    const response = await redeliver(task.taskId);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ trigger: "redelivery", attempt: 1, outcome: "delivered", status: 200, error: null });
    expect(await inbox.deliveries()).toHaveLength(9);
    expect(verified((await inbox.deliveries())[8]!).data.callback).toEqual(task.callback);
    expect(await deliveryLog(task.taskId)).toHaveLength(9);
  });

  it("paces redeliveries to one a minute per task: 429 with Retry-After, nothing sent, then allowed again", async () => {
    const { inbox, task } = await settledTask();
    expect((await redeliver(task.taskId)).status).toBe(200);

    const refused = await redeliver(task.taskId);
    expect(refused.status).toBe(429);
    const retryAfterSeconds = Number(refused.headers.get("retry-after"));
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({
      error: {
        code: "too_many_redeliveries",
        message: `This task's callback was redelivered too recently. Try again in ${retryAfterSeconds} seconds.`,
        details: { retryAfterSeconds },
      },
    });
    expect(await inbox.deliveries()).toHaveLength(2);
    expect(await deliveryLog(task.taskId)).toHaveLength(2);

    vi.setSystemTime(Date.now() + 61_000);
    try {
      const again = await redeliver(task.taskId);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ trigger: "redelivery", attempt: 2, outcome: "delivered" });
    } finally {
      vi.useRealTimers();
    }
    expect(await inbox.deliveries()).toHaveLength(3);
  });

  it("answers 404 for another client's task, sends nothing and leaves the owner's turn", async () => {
    const { inbox, task } = await settledTask();

    const response = await redeliver(task.taskId, OTHER_CLIENT_KEY);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(NOT_FOUND);
    expect(await inbox.deliveries()).toHaveLength(1);
    expect((await redeliver(task.taskId)).status).toBe(200);
  });

  it("refuses with 409 callback_in_progress before the review has ended", async () => {
    const inbox = await receiver();
    const task = await createTask({ callbackUrl: inbox.url });

    const response = await redeliver(task.taskId);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: {
        code: "callback_in_progress",
        message: "The callback is still on its delivery schedule; redeliver it once it is delivered or failed.",
        details: { nextAttemptAt: null },
      },
    });
    expect(await inbox.deliveries()).toHaveLength(0);
  });

  it("refuses with 409 no_callback for a task without a callback URL", async () => {
    const task = await createTask();
    await decide(await decisionToken(task.taskId, "reject"));
    await waitForTask(task.taskId, (t) => t.status === "rejected");

    const response = await redeliver(task.taskId);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: "no_callback", message: "This task has no callback URL, so there is nothing to redeliver." },
    });
    expect(await deliveryLog(task.taskId)).toEqual([]);
  });

  it("checks the URL against the SSRF rules again, and sends nothing to one that no longer passes", async () => {
    // A URL accepted under other settings: the record is what a failed schedule left, pointing at a private address.
    const task = await createQueuedTask({ callbackUrl: (await receiver()).url });
    const key = `task:v1:${task.taskId}`;
    const record = (await env.TASKS.get(key, "json")) as TaskRecord;
    const callback: Task["callback"] = {
      url: "https://10.0.0.1/hook",
      state: "failed",
      attempts: 8,
      lastError: "HTTP 503",
      deliveredAt: null,
      nextAttemptAt: null,
    };
    await env.TASKS.put(key, JSON.stringify({ ...record, task: { ...record.task, status: "rejected", callback } }));

    const response = await redeliver(task.taskId);
    expect(response.status).toBe(200);
    const attempt = await response.json();
    expect(attempt).toEqual({
      webhookId: `msg_${task.taskId}`,
      trigger: "redelivery",
      attempt: 1,
      attemptedAt: expect.any(String),
      durationMs: 0,
      outcome: "refused",
      status: null,
      error: "callbackUrl points at a non-public address (private).",
    });
    expect(await deliveryLog(task.taskId)).toEqual([attempt]);
  });
});
