// POST /v1/tasks/:id/retry: a failed task's tagging and callback run again, under a new webhook-id.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { DeliveryAttempt } from "../src/domain/delivery-attempt.ts";
import type { Task } from "../src/domain/task.ts";
import worker from "../src/index.ts";
import { api, asClient, createTask, decide, decisionToken, OTHER_CLIENT_KEY, waitForTask } from "./support/api.ts";
import { receiver, settled, verified, withoutWaits } from "./support/callbacks.ts";
import { taggerCalls } from "./support/tagger-calls.ts";

const RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

const retry = (taskId: string, key?: string) => api(`/v1/tasks/${taskId}/retry`, { method: "POST", headers: asClient(key) });

/**
 * A task approved while the tagger refuses its image, left failed with its task.failed callback delivered. The
 * caller holds `withoutWaits()` (only workflows under introspection see the test's fetch spy) and `taggerCalls([415])`.
 */
async function failedTask(callbackUrl?: string): Promise<Task> {
  const task = await createTask(callbackUrl ? { callbackUrl } : {});
  await decide(await decisionToken(task.taskId, "approve"));
  return waitForTask(task.taskId, (current) => current.status === "failed" && (callbackUrl === undefined || settled(current)));
}

describe("POST /v1/tasks/:id/retry", () => {
  it("tags a failed task again and calls back task.completed under a new webhook-id, after the task.failed one", async () => {
    await using _workflows = await withoutWaits();
    using tagger = taggerCalls([415]);
    const inbox = await receiver();
    const failed = await failedTask(inbox.url);
    expect(failed).toMatchObject({ tags: null, callback: { state: "delivered", attempts: 1 } });

    const response = await retry(failed.taskId);
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe(`/v1/tasks/${failed.taskId}`);
    expect(await response.json()).toEqual({
      ...failed,
      status: "approved",
      retries: 1,
      updatedAt: expect.any(String),
      callback: { url: inbox.url, state: "pending", attempts: 0, lastError: null, deliveredAt: null, nextAttemptAt: null },
    });

    const done = await waitForTask(failed.taskId, (current) => current.status === "completed" && settled(current));
    expect(done).toMatchObject({ retries: 1, decision: failed.decision, callback: { state: "delivered", attempts: 1 } });
    expect(done.tags).toEqual(expect.arrayContaining([{ label: "red", score: expect.any(Number), source: "colour" }]));
    const deliveries = await inbox.deliveries();
    expect(deliveries.map((delivery) => [delivery.headers["webhook-id"], verified(delivery).type])).toEqual([
      [`msg_${failed.taskId}`, "task.failed"],
      [`msg_${failed.taskId}_retry1`, "task.completed"],
    ]);
    const log = (await (await api(`/v1/tasks/${failed.taskId}/deliveries`, { headers: asClient() })).json()) as {
      items: DeliveryAttempt[];
    };
    expect(log.items.map((attempt) => attempt.webhookId)).toEqual([`msg_${failed.taskId}`, `msg_${failed.taskId}_retry1`]);

    expect(tagger.count).toBe(2);

    // Completed now: nothing left to retry.
    const again = await retry(failed.taskId);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: {
        code: "task_not_failed",
        message: "Only a failed task can be retried; this one is completed.",
        details: { status: "completed" },
      },
    });
  });

  it("grants exactly one of two retries asked at once", async () => {
    await using _workflows = await withoutWaits();
    using tagger = taggerCalls([415]);
    const failed = await failedTask();
    const answers = await Promise.all([retry(failed.taskId), retry(failed.taskId)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
    const refused = answers.find((answer) => answer.status === 409)!;
    expect(((await refused.json()) as { error: { details: unknown } }).error.details).toEqual({ status: "approved" });
    await waitForTask(failed.taskId, (current) => current.status === "completed");
    expect(tagger.count).toBe(2);
  });

  it("starts the work afresh when the failed task's workflow instance is gone (Cloudflare keeps ended ones for a while)", async () => {
    const workflows = await withoutWaits();
    using tagger = taggerCalls([415]);
    const failed = await failedTask();
    // Disposing the introspector deletes the instances it ran.
    await workflows.dispose();
    await expect(env.REVIEW_WORKFLOW.get(failed.taskId)).rejects.toThrow();

    expect((await retry(failed.taskId)).status).toBe(202);
    const done = await waitForTask(failed.taskId, (current) => current.status === "completed");
    expect(done).toMatchObject({
      retries: 1,
      tags: expect.arrayContaining([{ label: "red", score: expect.any(Number), source: "colour" }]),
    });
    expect(tagger.count).toBe(2);
  });

  it("refuses a task that has not failed with 409, and an unknown or another client's task with 404", async () => {
    const pending = await createTask();
    const response = await retry(pending.taskId);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: {
        code: "task_not_failed",
        message: "Only a failed task can be retried; this one is pending.",
        details: { status: "pending" },
      },
    });
    const notFound = { error: { code: "task_not_found", message: "No task with this id." } };
    expect(await (await retry(pending.taskId, OTHER_CLIENT_KEY)).json()).toEqual(notFound);
    expect((await retry("tsk_00000000000000000000000000000000")).status).toBe(404);
  });

  it("keeps a retried task past the retention of its first final state, until that of its last", async () => {
    await using _workflows = await withoutWaits();
    using tagger = taggerCalls([415]);
    const failed = await failedTask();
    const firstFinal = Date.parse(failed.updatedAt);
    expect((await retry(failed.taskId)).status).toBe(202);
    const done = await waitForTask(failed.taskId, (current) => current.status === "completed");
    expect(tagger.count).toBe(2);

    const sweepAt = (scheduledTime: number) => worker.scheduled(createScheduledController({ scheduledTime, cron: "*/5 * * * *" }), env);
    await sweepAt(Date.parse(done.updatedAt) + RETENTION_MS - 1);
    expect(firstFinal + RETENTION_MS).toBeLessThan(Date.parse(done.updatedAt) + RETENTION_MS - 1);
    expect((await api(`/v1/tasks/${failed.taskId}`, { headers: asClient() })).status).toBe(200);
    await sweepAt(Date.parse(done.updatedAt) + RETENTION_MS + 1);
    expect((await api(`/v1/tasks/${failed.taskId}`, { headers: asClient() })).status).toBe(404);
  });
});
