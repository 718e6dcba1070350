// GET /v1/tasks/:id/events: a task's changes as Server-Sent Events, each once and in order, resumable with
// Last-Event-ID, ending once the task has settled or is deleted.
import { runDurableObjectAlarm } from "cloudflare:test";
import { EventSourceParserStream } from "eventsource-parser/stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TaskEventType } from "../src/domain/task-events.ts";
import type { Task } from "../src/domain/task.ts";
import { api, asClient, createTask, decide, decisionToken, gateOf, OTHER_CLIENT_KEY, passDeadline, waitForTask } from "./support/api.ts";
import { receiver, settled, withoutWaits } from "./support/callbacks.ts";
import { taggerCalls } from "./support/tagger-calls.ts";

type Received = { id: number; event: string; data: { type: TaskEventType | "state"; at: string; task: Task | null; stage?: unknown } };

afterEach(() => {
  vi.useRealTimers();
});

/** A task its reviewers can see, once its pre-screen has told the gate (and so published its events). */
async function queuedTask(options: Parameters<typeof createTask>[0] = {}): Promise<Task> {
  const task = await createTask(options);
  while (!(await gateOf(task.taskId).prescreenHeard())) await new Promise((resolve) => setTimeout(resolve, 25));
  return task;
}

const openStream = (taskId: string, headers: Record<string, string> = {}) =>
  api(`/v1/tasks/${taskId}/events`, { headers: { ...asClient(), ...headers } });

/** The stream's events as they come: `next()` is null once the stream has ended. */
async function watch(taskId: string, lastEventId?: number) {
  const response = await openStream(taskId, lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  return {
    async next(): Promise<Received | null> {
      const { value, done } = await reader.read();
      return done ? null : { id: Number(value.id), event: value.event ?? "", data: JSON.parse(value.data) };
    },
    /** Every event until the stream ends. */
    async rest(): Promise<Received[]> {
      const received: Received[] = [];
      for (let event = await this.next(); event; event = await this.next()) received.push(event);
      return received;
    },
    cancel: () => reader.cancel(),
  };
}

const summary = (events: Received[]) => events.map((event) => [event.id, event.event, event.data.task?.status ?? null]);

describe("GET /v1/tasks/:id/events", () => {
  it("opens with the task's state, then sends each change once, in order, and ends after the callback", async () => {
    const inbox = await receiver();
    const task = await queuedTask({ callbackUrl: inbox.url });
    const stream = await watch(task.taskId);
    const state = await stream.next();
    // The pre-screen made two events before the stream opened: the state stands after them.
    expect(state).toEqual({
      id: 2,
      event: "state",
      data: { type: "state", at: expect.any(String), task: expect.objectContaining({ status: "pending" }) },
    });
    expect(await decide(await decisionToken(task.taskId, "approve"))).toHaveProperty("status", 200);
    const events = await stream.rest();
    expect(summary(events)).toEqual([
      [3, "decided", "approved"],
      // The tags and the final status are one write of the record: both events carry the task after it.
      [4, "tagged", "completed"],
      [5, "completed", "completed"],
      [6, "callback.delivered", "completed"],
    ]);
    const last = events.at(-1)!.data.task!;
    expect(last).toEqual(await waitForTask(task.taskId, settled));
    expect(last.decision).toMatchObject({ decision: "approve", reviewer: { id: "U-ada" } });
    expect(events[1]!.data.task!.tags).not.toBeNull();
  });

  it("resumes after Last-Event-ID with no gap and no repeat, and from 0 replays the whole log", async () => {
    const task = await queuedTask();
    const first = await watch(task.taskId);
    expect((await first.next())?.event).toBe("state");
    const token = await decisionToken(task.taskId, "reject", { reason: "blurry" });
    expect((await decide(token)).status).toBe(200);
    const decided = await first.next();
    expect(decided).toMatchObject({ id: 3, event: "decided", data: { task: { status: "rejected" } } });
    await first.cancel();

    const resumed = await watch(task.taskId, decided!.id);
    // A rejected task with no callback has settled once its decision is recorded: nothing follows it.
    expect(summary(await resumed.rest())).toEqual([]);
    const replayed = await watch(task.taskId, 0);
    expect(summary(await replayed.rest())).toEqual([
      [1, "prescreened", "pending"],
      [2, "queued", "pending"],
      [3, "decided", "rejected"],
    ]);
  });

  it("opens a settled task's stream with its state and ends it at once", async () => {
    const task = await queuedTask();
    await decide(await decisionToken(task.taskId, "reject", { reason: "off-topic" }));
    await waitForTask(task.taskId, (current) => current.status === "rejected");
    const stream = await watch(task.taskId);
    expect(summary(await stream.rest())).toEqual([[3, "state", "rejected"]]);
  });

  it("goes on after a failed task's retry: retried, then the new run's events, resuming where the client stopped", async () => {
    await using _workflows = await withoutWaits();
    using _tagger = taggerCalls([415]);
    const task = await queuedTask();
    await decide(await decisionToken(task.taskId, "approve"));
    await waitForTask(task.taskId, (current) => current.status === "failed");
    const failed = await watch(task.taskId, 0);
    expect(summary(await failed.rest())).toEqual([
      [1, "prescreened", "pending"],
      [2, "queued", "pending"],
      [3, "decided", "approved"],
      [4, "failed", "failed"],
    ]);

    expect((await api(`/v1/tasks/${task.taskId}/retry`, { method: "POST", headers: asClient() })).status).toBe(202);
    const retried = await watch(task.taskId, 4);
    expect(summary(await retried.rest())).toEqual([
      [5, "retried", "approved"],
      [6, "tagged", "completed"],
      [7, "completed", "completed"],
    ]);
  });

  it("sends a reminder and the escalation as they come due, with their stage", async () => {
    const policy = { remindAfter: ["1 hour"], escalateAfter: "2 hours", escalateTo: "S0LEADS" };
    const task = await queuedTask({ headers: { "review-policy": JSON.stringify(policy) } });
    const stream = await watch(task.taskId);
    await stream.next();
    const hour = 60 * 60 * 1000;
    vi.setSystemTime(Date.parse(task.createdAt) + hour + 1000);
    expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
    const dueAt = (ms: number) => new Date(Date.parse(task.createdAt) + ms).toISOString();
    expect(await stream.next()).toMatchObject({
      id: 3,
      event: "reminded",
      data: { stage: { stage: "reminder", n: 1, dueAt: dueAt(hour), escalateTo: null }, task: { status: "pending" } },
    });
    vi.setSystemTime(Date.parse(task.createdAt) + 2 * hour + 1000);
    expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
    expect(await stream.next()).toMatchObject({
      id: 4,
      event: "escalated",
      data: { stage: { stage: "escalation", n: null, dueAt: dueAt(2 * hour), escalateTo: "S0LEADS" } },
    });
    await stream.cancel();
  });

  it("sends expired at the deadline and ends", async () => {
    const task = await queuedTask();
    const stream = await watch(task.taskId);
    await stream.next();
    await passDeadline(task);
    expect(summary(await stream.rest())).toEqual([[3, "expired", "expired"]]);
  });

  it("tells a stream its task was deleted and ends it; the task and its log are then gone", async () => {
    const task = await queuedTask();
    const stream = await watch(task.taskId);
    await stream.next();
    expect((await api(`/v1/tasks/${task.taskId}`, { method: "DELETE", headers: asClient() })).status).toBe(204);
    expect(await stream.rest()).toEqual([{ id: 3, event: "deleted", data: { type: "deleted", at: expect.any(String), task: null } }]);
    expect((await openStream(task.taskId)).status).toBe(404);
  });

  it("answers 404 for another client's task and an unknown one, 401 without a key, 400 for a bad Last-Event-ID", async () => {
    const task = await createTask();
    const notFound = { error: { code: "task_not_found", message: expect.any(String) } };
    const other = await openStream(task.taskId, { authorization: `Bearer ${OTHER_CLIENT_KEY}` });
    expect([other.status, await other.json()]).toEqual([404, notFound]);
    const unknown = await openStream("tsk_00000000000000000000000000000000");
    expect([unknown.status, await unknown.json()]).toEqual([404, notFound]);
    expect((await api(`/v1/tasks/${task.taskId}/events`)).status).toBe(401);
    const bad = await openStream(task.taskId, { "last-event-id": "abc" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid_request" } });
  });
});
