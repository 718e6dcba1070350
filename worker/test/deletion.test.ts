// Deleting a task (DELETE /v1/tasks/:id) and the retention sweep: everything a task left goes, and nothing starts again.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import worker from "../src/index.ts";
import type { Task } from "../src/domain/task.ts";
import { api, asClient, createQueuedTask, decide, decisionToken, OTHER_CLIENT_KEY, waitForTask } from "./support/api.ts";

const RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

const remove = (taskId: string, key?: string) => api(`/v1/tasks/${taskId}`, { method: "DELETE", headers: asClient(key) });

/** Every key and object the task could have left, by where it lives. */
async function leftovers(task: Task, hash: string | null) {
  const kv = async (prefix: string) => (await env.TASKS.list({ prefix })).keys.map((key) => key.name);
  return {
    image: (await env.IMAGES.head(`images/${task.taskId}`)) !== null,
    record: (await env.TASKS.get(`task:v1:${task.taskId}`)) !== null,
    pending: await kv(`pending:v1:${task.createdAt}:${task.taskId}`),
    claimable: await kv(`claimable:v1:${task.createdAt}:${task.taskId}`),
    deliveries: await kv(`deliveries:v1:${task.taskId}:`),
    // Other uploads of the same picture keep the hash's entry; this task must be out of it.
    nearDuplicateIndex: hash ? await indexedUnder(hash, task.taskId) : false,
  };
}

async function indexedUnder(hash: string, taskId: string): Promise<boolean> {
  const { metadata } = await env.TASKS.getWithMetadata<{ taskIds: string[] }>(`phash:v2:0:${hash.slice(0, 4)}:${hash}`);
  return metadata?.taskIds.includes(taskId) ?? false;
}

const NOTHING = { image: false, record: false, pending: [], claimable: [], deliveries: [], nearDuplicateIndex: false };

async function hashOf(taskId: string): Promise<string | null> {
  const record = (await env.TASKS.get(`task:v1:${taskId}`, "json")) as { prescreen: { perceptualHash: string | null } | null };
  return record.prescreen?.perceptualHash ?? null;
}

describe("DELETE /v1/tasks/:id", () => {
  it("deletes a pending task and everything it left; its review closes and it answers 404 afterwards", async () => {
    const task = await createQueuedTask();
    const hash = await hashOf(task.taskId);
    expect(await indexedUnder(hash!, task.taskId)).toBe(true);

    const response = await remove(task.taskId);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(await leftovers(task, hash)).toEqual(NOTHING);

    expect((await api(`/v1/tasks/${task.taskId}`, { headers: asClient() })).status).toBe(404);
    expect((await api(`/v1/tasks/${task.taskId}/image`, { headers: asClient() })).status).toBe(404);
    const late = await decide(await decisionToken(task.taskId, "approve"));
    expect(late.status).toBe(409);
    expect(await late.json()).toEqual({ error: { code: "review_withdrawn", message: "The task was deleted, so its review is closed." } });
    // No workflow was started for it, by the decision or otherwise.
    await expect(env.REVIEW_WORKFLOW.get(task.taskId)).rejects.toThrow();
    expect((await remove(task.taskId)).status).toBe(404);
  });

  it("answers 404 for another client's task and leaves it alone", async () => {
    const task = await createQueuedTask();
    const response = await remove(task.taskId, OTHER_CLIENT_KEY);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "task_not_found", message: "No task with this id." } });
    expect((await leftovers(task, await hashOf(task.taskId))).record).toBe(true);
    expect((await decide(await decisionToken(task.taskId, "reject", { reason: "kept" }))).status).toBe(200);
  });

  it("stops a workflow still calling back, so no callback is sent after the deletion", async () => {
    const name = crypto.randomUUID();
    const base = inject("receiverUrl");
    // The receiver keeps failing, so the workflow is between callback attempts when the task is deleted.
    await fetch(`${base}/script/${name}`, { method: "PUT", body: JSON.stringify(Array.from({ length: 20 }, () => 503)) });
    const task = await createQueuedTask({ callbackUrl: `${base}/hooks/${name}` });
    await decide(await decisionToken(task.taskId, "reject", { reason: "off-topic" }));
    await waitForTask(task.taskId, (current) => current.callback.attempts >= 1);
    const hash = await hashOf(task.taskId);
    expect((await leftovers(task, hash)).deliveries).not.toEqual([]);

    expect((await remove(task.taskId)).status).toBe(204);
    const instance = await env.REVIEW_WORKFLOW.get(task.taskId);
    expect((await instance.status()).status).toBe("terminated");
    expect(await leftovers(task, hash)).toEqual(NOTHING);
  });
});

describe("the retention sweep", () => {
  async function sweepAt(scheduledTime: number) {
    const controller = createScheduledController({ scheduledTime, cron: "*/5 * * * *" });
    await worker.scheduled(controller, env);
  }

  async function finalAt(task: Task): Promise<number> {
    const keys = (await env.TASKS.list({ prefix: "retention:v1:" })).keys.map((key) => key.name);
    const key = keys.find((name) => name.endsWith(`:${task.taskId}`));
    if (!key) throw new Error(`no retention entry for ${task.taskId}`);
    return Date.parse(key.slice("retention:v1:".length, key.lastIndexOf(":")));
  }

  it("deletes tasks RETENTION past their final state with everything they left, and keeps younger ones", async () => {
    const old = await createQueuedTask();
    const oldHash = await hashOf(old.taskId);
    await decide(await decisionToken(old.taskId, "reject", { reason: "old" }));
    await waitForTask(old.taskId, (current) => current.status === "rejected");
    const young = await createQueuedTask();
    await decide(await decisionToken(young.taskId, "reject", { reason: "young" }));
    await waitForTask(young.taskId, (current) => current.status === "rejected");
    const pending = await createQueuedTask();

    // The cutoff falls on the young task's final moment: older than that goes, that one stays.
    await sweepAt((await finalAt(young)) + RETENTION_MS);

    expect(await leftovers(old, oldHash)).toEqual(NOTHING);
    expect((await env.TASKS.list({ prefix: `retention:v1:` })).keys.map((key) => key.name)).not.toContainEqual(
      expect.stringContaining(old.taskId),
    );
    expect((await api(`/v1/tasks/${young.taskId}`, { headers: asClient() })).status).toBe(200);
    expect((await api(`/v1/tasks/${pending.taskId}`, { headers: asClient() })).status).toBe(200);
  });

  it("forgets the retention entry of a task its client already deleted", async () => {
    const task = await createQueuedTask();
    await decide(await decisionToken(task.taskId, "approve"));
    await waitForTask(task.taskId, (current) => current.status === "completed");
    const due = await finalAt(task);
    expect((await remove(task.taskId)).status).toBe(204);

    await sweepAt(due + RETENTION_MS + 1);
    expect((await env.TASKS.list({ prefix: "retention:v1:" })).keys.map((key) => key.name)).not.toContainEqual(
      expect.stringContaining(task.taskId),
    );
  });
});
