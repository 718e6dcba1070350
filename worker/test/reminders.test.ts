// Reminders and escalation: the gate's alarm makes each stage due once, in order and across restarts; POST /v1/reviews/due
// hands each out to one caller at a time until it is confirmed, and a review that is over has no more stages.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DueStage } from "../src/domain/due-stage.ts";
import type { ReviewPolicyInput } from "../src/domain/policy.ts";
import type { ReviewItem, ReviewStatus } from "../src/domain/review.ts";
import type { Task } from "../src/domain/task.ts";
import { api, asReviewer, createQueuedTask, decide, decisionToken, gateOf, upload } from "./support/api.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// CLAIM_LEASE in wrangler.toml.
const LEASE = 5 * MINUTE;

const POLICY: ReviewPolicyInput = { remindAfter: ["1 hour", "2 hours"], escalateAfter: "3 hours", escalateTo: "S0LEADS" };

afterEach(() => {
  vi.useRealTimers();
});

/** A queued task under `policy` whose gate has heard its pre-screen, so its alarm waits for the next stage. */
async function stagedTask(policy: ReviewPolicyInput = POLICY): Promise<Task> {
  const task = await createQueuedTask({ headers: { "review-policy": JSON.stringify(policy) } });
  while (!(await gateOf(task.taskId).prescreenHeard())) await new Promise((resolve) => setTimeout(resolve, 25));
  return task;
}

/** Sets the clock just past `ms` after the task's upload, the moment its gate opened and counts stages from. */
const clockAt = (task: Task, ms: number) => vi.setSystemTime(Date.parse(task.createdAt) + ms + 1000);

const wake = async (task: Task) => expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);

const reviewOf = async (task: Task) => (await (await api(`/v1/reviews/${task.taskId}`, { headers: asReviewer() })).json()) as ReviewStatus;

/** What POST /v1/reviews/due hands out now, for this task only (other files' tasks may be due too). */
async function dueFor(task: Task): Promise<DueStage[]> {
  const response = await api("/v1/reviews/due", {
    method: "POST",
    headers: { ...asReviewer(), "content-type": "application/json" },
    body: JSON.stringify({ limit: 100 }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: DueStage[] }).items.filter((item) => item.taskId === task.taskId);
}

const confirm = (task: Task, stage: string) =>
  api(`/v1/reviews/${task.taskId}/stages/${stage}/confirm`, { method: "POST", headers: asReviewer() });

const dueAt = (task: Task, ms: number) => new Date(Date.parse(task.createdAt) + ms).toISOString();
const reminder = (task: Task, n: number, ms: number, confirmedAt: string | null = null) => ({
  stage: "reminder",
  n,
  dueAt: dueAt(task, ms),
  escalateTo: null,
  confirmedAt,
});

describe("reminders and escalation", () => {
  it("come due in order as the gate's alarm wakes at each, each recorded once", async () => {
    const task = await stagedTask();
    expect((await reviewOf(task)).stages).toEqual([]);
    clockAt(task, HOUR);
    await wake(task);
    expect((await reviewOf(task)).stages).toEqual([reminder(task, 1, HOUR)]);
    clockAt(task, 2 * HOUR);
    await wake(task);
    expect((await reviewOf(task)).stages).toEqual([reminder(task, 1, HOUR), reminder(task, 2, 2 * HOUR)]);
    clockAt(task, 3 * HOUR);
    await wake(task);
    expect((await reviewOf(task)).stages).toEqual([
      reminder(task, 1, HOUR),
      reminder(task, 2, 2 * HOUR),
      { stage: "escalation", n: null, dueAt: dueAt(task, 3 * HOUR), escalateTo: "S0LEADS", confirmedAt: null },
    ]);
    // Past the stages the alarm is the deadline's.
    const alarm = await runInDurableObject(gateOf(task.taskId), (_, state) => state.storage.getAlarm());
    expect(alarm).toBe(Date.parse(task.reviewDeadline));
  });

  it("hands each due stage to one caller at a time, again once its lease runs out, and never once confirmed", async () => {
    const task = await stagedTask();
    await runInDurableObject(gateOf(task.taskId), (instance) => instance.announce({ channel: "C0REVIEWS", messageTs: "1.5" }));
    clockAt(task, HOUR);
    await wake(task);
    const first = await dueFor(task);
    expect(first).toEqual([
      {
        taskId: task.taskId,
        stage: "reminder",
        n: 1,
        dueAt: dueAt(task, HOUR),
        escalateTo: null,
        announcement: { channel: "C0REVIEWS", messageTs: "1.5" },
      },
    ]);
    expect(await dueFor(task)).toEqual([]);
    clockAt(task, HOUR + LEASE + 1000);
    expect(await dueFor(task)).toEqual(first);
    expect((await confirm(task, "reminder-1")).status).toBe(204);
    // Confirming again changes nothing.
    expect((await confirm(task, "reminder-1")).status).toBe(204);
    clockAt(task, HOUR + 3 * LEASE);
    expect(await dueFor(task)).toEqual([]);
    expect((await reviewOf(task)).stages).toEqual([reminder(task, 1, HOUR, expect.any(String))]);
    // Its index entry is gone, so later calls do not even ask the gate.
    expect((await env.TASKS.list({ prefix: "due:v1:" })).keys.filter((key) => key.name.includes(task.taskId))).toEqual([]);
  });

  it("lists a pending task with the stages it has waited through, so tooling can mark it overdue or escalated", async () => {
    const task = await stagedTask();
    const listed = async () => {
      const response = await api("/v1/reviews?limit=100", { headers: asReviewer() });
      expect(response.status).toBe(200);
      const { items } = (await response.json()) as { items: ReviewItem[] };
      return items.find((item) => item.taskId === task.taskId)?.stages;
    };
    expect(await listed()).toEqual([]);
    // Reckoned from the policy and the upload's time, with no call to the gate: its alarm has not even run yet.
    clockAt(task, 2 * HOUR);
    expect(await listed()).toEqual([
      { stage: "reminder", n: 1, dueAt: dueAt(task, HOUR), escalateTo: null },
      { stage: "reminder", n: 2, dueAt: dueAt(task, 2 * HOUR), escalateTo: null },
    ]);
    clockAt(task, 3 * HOUR);
    expect((await listed())?.at(-1)).toEqual({ stage: "escalation", n: null, dueAt: dueAt(task, 3 * HOUR), escalateTo: "S0LEADS" });
  });

  it("answers 404 for a stage not yet due, one the policy lacks, and an unknown task", async () => {
    const task = await stagedTask({ remindAfter: ["1 hour"] });
    expect(await (await confirm(task, "reminder-1")).json()).toEqual({
      error: { code: "stage_not_due", message: "This task has no such stage due: its policy has none, or it has not come due." },
    });
    expect((await confirm(task, "escalation")).status).toBe(404);
    const unknown = await api("/v1/reviews/tsk_00000000000000000000000000/stages/escalation/confirm", {
      method: "POST",
      headers: asReviewer(),
    });
    expect(unknown.status).toBe(404);
    expect((await confirm(task, "reminder-9")).status).toBe(400);
  });

  it("stops at a decision: no later stage comes due and a due one is no longer handed out", async () => {
    const task = await stagedTask();
    clockAt(task, HOUR);
    await wake(task);
    const token = await decisionToken(task.taskId, "reject", { reason: "off-topic" });
    expect((await decide(token)).status).toBe(200);
    expect(await dueFor(task)).toEqual([]);
    clockAt(task, 3 * HOUR);
    // This wake starts the decided task's workflow and records no stage.
    await wake(task);
    expect(await dueFor(task)).toEqual([]);
    expect((await reviewOf(task)).stages).toEqual([reminder(task, 1, HOUR)]);
    expect((await env.TASKS.list({ prefix: "due:v1:" })).keys.filter((key) => key.name.includes(task.taskId))).toEqual([]);
  });

  it("keeps recorded and confirmed stages, and the next one's alarm, across a restart of the gate", async () => {
    const task = await stagedTask();
    clockAt(task, HOUR);
    await wake(task);
    expect((await confirm(task, "reminder-1")).status).toBe(204);
    await runInDurableObject(gateOf(task.taskId), (_, state) => state.abort("restart")).catch(() => {});
    expect((await reviewOf(task)).stages).toEqual([reminder(task, 1, HOUR, expect.any(String))]);
    const alarm = await runInDurableObject(gateOf(task.taskId), (_, state) => state.storage.getAlarm());
    expect(alarm).toBe(Date.parse(task.createdAt) + 2 * HOUR);
    clockAt(task, 2 * HOUR);
    await wake(task);
    expect((await dueFor(task)).map((item) => item.n)).toEqual([2]);
  });
});

describe("a policy's stages at upload", () => {
  const refused = (path: string, message: string) => ({
    error: {
      code: "invalid_request",
      message:
        "policy must be a JSON object with any of approvalsRequired (1 to 5), onDeadline (expire or reject), excludedReviewers (reviewer ids), remindAfter (up to 3 increasing durations) and escalateAfter with escalateTo.",
      details: { issues: [{ path, message }] },
    },
  });

  it.each([
    [
      "a reminder that is not a duration",
      { remindAfter: ["soon"] },
      refused("policy.remindAfter.0", 'Not a duration (try "2 hours" or "90 minutes").'),
    ],
    [
      "reminders out of order",
      { remindAfter: ["2 hours", "1 hour"] },
      refused("policy.remindAfter", "Reminders must come in increasing order."),
    ],
    [
      "an escalation without a target",
      { escalateAfter: "3 hours" },
      refused("policy.escalateTo", "escalateAfter and escalateTo come together."),
    ],
    [
      "a target without an escalation",
      { escalateTo: "S0LEADS" },
      refused("policy.escalateTo", "escalateAfter and escalateTo come together."),
    ],
    [
      "a reminder at the deadline",
      { remindAfter: ["24 hours"] },
      {
        error: {
          code: "invalid_request",
          message: "policy's reminders and escalation must each come before the review deadline.",
          details: { issues: [{ path: "policy.remindAfter", message: "Must be shorter than the review deadline (86400000 ms)." }] },
        },
      },
    ],
    [
      "an escalation past the deadline",
      { escalateAfter: "2 days", escalateTo: "S0LEADS" },
      {
        error: {
          code: "invalid_request",
          message: "policy's reminders and escalation must each come before the review deadline.",
          details: { issues: [{ path: "policy.escalateAfter", message: "Must be shorter than the review deadline (86400000 ms)." }] },
        },
      },
    ],
  ])("refuses %s with 400", async (_, policy, body) => {
    const { response, task } = await upload({ headers: { "review-policy": JSON.stringify(policy) } });
    expect(response.status).toBe(400);
    expect(task).toEqual(body);
  });

  it("leaves the Idempotency-Key of a refused policy free, so the corrected request under it is accepted", async () => {
    const key = { "idempotency-key": crypto.randomUUID() };
    const refusedUpload = await upload({ headers: { ...key, "review-policy": JSON.stringify({ remindAfter: ["2 days"] }) } });
    expect(refusedUpload.response.status).toBe(400);
    const corrected = await upload({ headers: { ...key, "review-policy": JSON.stringify({ remindAfter: ["2 hours"] }) } });
    expect(corrected.response.status).toBe(202);
    expect(corrected.task).toMatchObject({ status: "pending", policy: { remindAfter: ["2 hours"] } });
  });
});
