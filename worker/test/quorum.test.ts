// Review policies: quorums of distinct approvers, excluded reviewers and a deadline that rejects, judged by the gate.
import { introspectWorkflow, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import type { ReviewPolicyInput } from "../src/domain/policy.ts";
import type { Metrics } from "../src/domain/metrics.ts";
import type { Decision, Task } from "../src/domain/task.ts";
import {
  api,
  asClient,
  asReviewer,
  createQueuedTask,
  createTask,
  decide,
  decisionToken,
  gateOf,
  passDeadline,
  upload,
  waitForTask,
} from "./support/api.ts";
import { receiver, settled, verified } from "./support/callbacks.ts";
import { RED_PNG } from "./support/images.ts";

const policyHeader = (policy: ReviewPolicyInput) => ({ "review-policy": JSON.stringify(policy) });
const quorumTask = (policy: ReviewPolicyInput, callbackUrl?: string) =>
  createTask({ headers: policyHeader(policy), ...(callbackUrl && { callbackUrl }) });

const approve = async (taskId: string, reviewer: string) => decide(await decisionToken(taskId, "approve", { reviewer }));
const approval = (reviewer: string) => ({ reviewer: { id: `U-${reviewer}`, name: reviewer }, decidedAt: expect.any(String) });
const reviewOf = async (taskId: string) => (await api(`/v1/reviews/${taskId}`, { headers: asReviewer() })).json();
const weekOfMetrics = async () => ((await (await api("/v1/metrics", { headers: asReviewer() })).json()) as Metrics).windows["7d"];

describe("review policy at upload", () => {
  it("is the default on a task that names none, and is shown on it", async () => {
    const task = await createTask();
    expect(task.policy).toEqual({ approvalsRequired: 1, onDeadline: "expire", excludedReviewers: [] });
  });

  it("takes the Review-Policy header of a raw upload and the policy field of a multipart one, over the defaults", async () => {
    const raw = await quorumTask({ approvalsRequired: 2 });
    expect(raw.policy).toEqual({ approvalsRequired: 2, onDeadline: "expire", excludedReviewers: [] });

    const form = new FormData();
    form.set("image", new File([RED_PNG], "red.png", { type: "image/png" }));
    form.set("policy", JSON.stringify({ onDeadline: "reject", excludedReviewers: ["U-sam"] }));
    const response = await api("/v1/tasks", { method: "POST", headers: asClient(), body: form });
    expect(response.status).toBe(202);
    expect(((await response.json()) as Task).policy).toEqual({ approvalsRequired: 1, onDeadline: "reject", excludedReviewers: ["U-sam"] });
  });

  it.each([
    ["approvalsRequired 6", { approvalsRequired: 6 }, "policy.approvalsRequired"],
    ["approvalsRequired 0", { approvalsRequired: 0 }, "policy.approvalsRequired"],
    ["an unknown onDeadline", { onDeadline: "escalate" }, "policy.onDeadline"],
    ["an unknown field", { approvalRequired: 2 }, "policy"],
  ])("refuses %s with 400 and creates nothing", async (_, policy, path) => {
    const { response, task } = await upload({ headers: { "review-policy": JSON.stringify(policy) } });
    expect(response.status).toBe(400);
    expect(task).toEqual({
      error: {
        code: "invalid_request",
        message:
          "policy must be a JSON object with any of approvalsRequired (1 to 5), onDeadline (expire or reject), excludedReviewers (reviewer ids), remindAfter (up to 3 increasing durations) and escalateAfter with escalateTo.",
        details: { issues: [{ path, message: expect.any(String) }] },
      },
    });
  });

  it("refuses a policy that is not JSON", async () => {
    const { response } = await upload({ headers: { "review-policy": "approvalsRequired=2" } });
    expect(response.status).toBe(400);
  });

  it("takes a client's default from REVIEW_POLICIES, under the upload's own fields", async () => {
    const settings = { ...env, REVIEW_POLICIES: JSON.stringify({ demo: { approvalsRequired: 3, onDeadline: "reject" } }) };
    const post = (headers: Record<string, string> = {}) =>
      app.request(
        "/v1/tasks",
        { method: "POST", headers: { ...asClient(), "content-type": "image/png", ...headers }, body: RED_PNG },
        settings,
      );

    const byDefault = (await (await post()).json()) as Task;
    expect(byDefault.policy).toEqual({ approvalsRequired: 3, onDeadline: "reject", excludedReviewers: [] });
    const overridden = (await (await post(policyHeader({ approvalsRequired: 2 }))).json()) as Task;
    expect(overridden.policy).toEqual({ approvalsRequired: 2, onDeadline: "reject", excludedReviewers: [] });
    // The gate judges with the task's policy: one approval of two does not decide.
    expect(await (await approve(overridden.taskId, "ada")).json()).toMatchObject({ status: "pending", approvalsRequired: 2 });
  });

  it("a bad REVIEW_POLICIES makes every endpoint answer server_misconfigured, naming it", async () => {
    const response = await app.request("/healthz", {}, { ...env, REVIEW_POLICIES: JSON.stringify({ demo: { approvalsRequired: 9 } }) });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: {
        code: "server_misconfigured",
        message:
          "REVIEW_POLICIES must be a JSON object of client id -> review policy (approvalsRequired 1 to 5, onDeadline expire or reject, excludedReviewers, remindAfter, escalateAfter with escalateTo)",
      },
    });
  });

  it("reads an empty REVIEW_POLICIES as none, like the other optional settings", async () => {
    expect((await app.request("/healthz", {}, { ...env, REVIEW_POLICIES: "" })).status).toBe(200);
  });

  it("makes a different policy under the same Idempotency-Key a different request", async () => {
    const key = { "idempotency-key": crypto.randomUUID() };
    expect((await upload({ headers: { ...key, ...policyHeader({ approvalsRequired: 2 }) } })).response.status).toBe(202);
    const replay = await upload({ headers: { ...key, ...policyHeader({ approvalsRequired: 2 }) } });
    expect(replay.response.headers.get("idempotent-replayed")).toBe("true");
    const other = await upload({ headers: { ...key, ...policyHeader({ approvalsRequired: 3 }) } });
    expect(other.response.status).toBe(422);
  });
});

describe("quorum at the gate", () => {
  it("two approvals needed: the first counts and leaves the task pending, the second decides with both", async () => {
    const inbox = await receiver();
    const task = await quorumTask({ approvalsRequired: 2 }, inbox.url);

    const first = await approve(task.taskId, "ada");
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      taskId: task.taskId,
      status: "pending",
      approvals: [approval("ada")],
      approvalsRequired: 2,
    });
    expect(await reviewOf(task.taskId)).toMatchObject({
      status: "pending",
      decision: null,
      approvals: [approval("ada")],
      approvalsRequired: 2,
    });

    const second = await approve(task.taskId, "grace");
    expect(second.status).toBe(200);
    const body = (await second.json()) as { status: string; decision: Decision };
    expect(body).toEqual({
      taskId: task.taskId,
      status: "approved",
      decision: {
        decision: "approve",
        reviewer: { id: "U-grace", name: "grace" },
        reason: null,
        decidedAt: expect.any(String),
        via: "slack-app",
        approvals: [approval("ada"), approval("grace")],
      },
    });
    expect(await reviewOf(task.taskId)).toMatchObject({ decision: body.decision, approvals: [approval("ada"), approval("grace")] });

    const done = await waitForTask(task.taskId, settled);
    expect(done).toMatchObject({ status: "completed", decision: body.decision });
    expect(verified((await inbox.deliveries())[0]!)).toMatchObject({ type: "task.completed", data: { decision: body.decision } });
    // Decided: a third reviewer is told who decided.
    expect((await approve(task.taskId, "linus")).status).toBe(409);
  });

  it("a rejection after one approval of two decides rejected with its reason, and keeps the approval on record", async () => {
    const task = await quorumTask({ approvalsRequired: 2 });
    await approve(task.taskId, "ada");
    const rejected = await decide(await decisionToken(task.taskId, "reject", { reviewer: "grace", reason: "a licence plate" }));
    expect(rejected.status).toBe(200);
    expect(await rejected.json()).toMatchObject({
      status: "rejected",
      decision: { decision: "reject", reviewer: { id: "U-grace" }, reason: "a licence plate", approvals: [approval("ada")] },
    });
    const done = await waitForTask(task.taskId, (current) => current.status === "rejected");
    expect(done.decision).toMatchObject({ reason: "a licence plate", approvals: [approval("ada")] });
  });

  it("counts the same reviewer approving twice once", async () => {
    const task = await quorumTask({ approvalsRequired: 2 });
    const first = await (await approve(task.taskId, "ada")).json();
    const again = await approve(task.taskId, "ada");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    expect(await reviewOf(task.taskId)).toMatchObject({ status: "pending", approvals: [approval("ada")] });
    expect(await (await approve(task.taskId, "grace")).json()).toMatchObject({ status: "approved" });
  });

  it("answers a retry of a counted approval, once decided, with the decision", async () => {
    const task = await quorumTask({ approvalsRequired: 2 });
    const token = await decisionToken(task.taskId, "approve", { reviewer: "ada" });
    await decide(token);
    const decided = await (await approve(task.taskId, "grace")).json();
    const retry = await decide(token);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(decided);
  });

  it("refuses an excluded reviewer's approval with 403 reviewer_excluded, counting nothing", async () => {
    const task = await quorumTask({ approvalsRequired: 2, excludedReviewers: ["U-sam"] });
    const refused = await approve(task.taskId, "sam");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: {
        code: "reviewer_excluded",
        message: "This task's review policy does not let this reviewer approve it; nothing was counted.",
      },
    });
    expect(await reviewOf(task.taskId)).toMatchObject({ status: "pending", approvals: [] });

    await approve(task.taskId, "ada");
    const decided = await (await approve(task.taskId, "grace")).json();
    expect(decided).toMatchObject({ status: "approved", decision: { approvals: [approval("ada"), approval("grace")] } });
  });

  it("lets an excluded reviewer reject", async () => {
    const task = await quorumTask({ excludedReviewers: ["U-sam"] });
    const rejected = await decide(await decisionToken(task.taskId, "reject", { reviewer: "sam", reason: "wrong file" }));
    expect(await rejected.json()).toMatchObject({ status: "rejected", decision: { reviewer: { id: "U-sam" } } });
  });

  it("keeps counted approvals across a restart of the gate", async () => {
    const task = await quorumTask({ approvalsRequired: 2 });
    await approve(task.taskId, "ada");
    // Aborting the object throws away its instance; the next call starts a new one from storage.
    await runInDurableObject(gateOf(task.taskId), (_, state) => state.abort("restart")).catch(() => {});

    const decided = await approve(task.taskId, "grace");
    expect(await decided.json()).toMatchObject({ status: "approved", decision: { approvals: [approval("ada"), approval("grace")] } });
    await waitForTask(task.taskId, (current) => current.status === "completed");
  });

  it("a rejection after a restart of the gate still decides rejected, with the approval counted before it", async () => {
    const task = await quorumTask({ approvalsRequired: 2 });
    await approve(task.taskId, "ada");
    await runInDurableObject(gateOf(task.taskId), (_, state) => state.abort("restart")).catch(() => {});

    const rejected = await decide(await decisionToken(task.taskId, "reject", { reviewer: "grace", reason: "a licence plate" }));
    expect(await rejected.json()).toMatchObject({
      status: "rejected",
      decision: { reviewer: { id: "U-grace" }, reason: "a licence plate", approvals: [approval("ada")] },
    });
    const done = await waitForTask(task.taskId, (current) => current.status === "rejected");
    expect(done.decision).toMatchObject({ reason: "a licence plate", approvals: [approval("ada")] });
  });

  it("20 reviewers approving a 3-approval task at once: exactly 3 approvals count, one decides, one workflow runs", async () => {
    await using workflows = await introspectWorkflow(env.REVIEW_WORKFLOW);
    const task = await quorumTask({ approvalsRequired: 3 });
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, index) => decisionToken(task.taskId, "approve", { reviewer: `reviewer-${index}` })),
    );
    const responses = await Promise.all(tokens.map(decide));
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as Array<Record<string, any>>;

    const counted = bodies.filter((body, index) => responses[index]!.status === 200 && body.status === "pending");
    const decided = bodies.filter((body, index) => responses[index]!.status === 200 && body.status === "approved");
    expect(counted.map((body) => body.approvals.length).sort()).toEqual([1, 2]);
    expect(decided).toHaveLength(1);
    const decision = decided[0]!.decision;
    expect(decision.approvals).toHaveLength(3);
    expect(new Set(decision.approvals.map((one: { reviewer: { id: string } }) => one.reviewer.id)).size).toBe(3);
    const refused = bodies.filter((_, index) => responses[index]!.status === 409);
    expect(refused).toHaveLength(17);
    for (const body of refused) expect(body.error).toMatchObject({ code: "already_decided", details: { decision } });

    const done = await waitForTask(task.taskId, (current) => current.status === "completed");
    expect(done.decision).toEqual(decision);
    expect(await workflows.get()).toHaveLength(1);
  });
});

describe("onDeadline reject", () => {
  it("the deadline rejects the task as Greenlight, and the client is called back task.rejected", async () => {
    const inbox = await receiver();
    const before = await weekOfMetrics();
    const task = await createQueuedTask({ callbackUrl: inbox.url, headers: policyHeader({ approvalsRequired: 2, onDeadline: "reject" }) });
    await approve(task.taskId, "ada");
    await passDeadline(task);

    const deadlineDecision = {
      decision: "reject",
      reviewer: { id: "greenlight", name: "Greenlight" },
      reason: "review deadline passed",
      decidedAt: task.reviewDeadline,
      via: "deadline",
      approvals: [approval("ada")],
    };
    const done = await waitForTask(task.taskId, settled);
    expect(done).toMatchObject({ status: "rejected", decision: deadlineDecision, callback: { state: "delivered" } });
    expect((await env.TASKS.list({ prefix: `pending:v1:${task.createdAt}:${task.taskId}` })).keys).toHaveLength(0);
    expect(verified((await inbox.deliveries())[0]!)).toMatchObject({ type: "task.rejected", data: { status: "rejected" } });
    // No reviewer decided: queue health counts a missed deadline, not a rejection by "greenlight".
    const after = await weekOfMetrics();
    expect([after.missedDeadlines - before.missedDeadlines, after.decisions - before.decisions]).toEqual([1, 0]);
    expect(after.reviewers.map((reviewer) => reviewer.id)).not.toContain("greenlight");

    const late = await approve(task.taskId, "grace");
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: { code: "already_decided", details: { decision: deadlineDecision } } });
  });

  it("rejects at the deadline after a restart of the gate: its alarm and the approvals counted survive", async () => {
    const task = await createQueuedTask({ headers: policyHeader({ approvalsRequired: 2, onDeadline: "reject" }) });
    await approve(task.taskId, "ada");
    await runInDurableObject(gateOf(task.taskId), (_, state) => state.abort("restart")).catch(() => {});
    const alarm = await runInDurableObject(gateOf(task.taskId), (_, state) => state.storage.getAlarm());
    expect(alarm).toBe(Date.parse(task.reviewDeadline));

    await passDeadline(task);
    const done = await waitForTask(task.taskId, (current) => current.status === "rejected");
    expect(done.decision).toMatchObject({ reviewer: { id: "greenlight" }, via: "deadline", approvals: [approval("ada")] });
  });

  it("an expire policy still expires, as before", async () => {
    const task = await createQueuedTask({ headers: policyHeader({ approvalsRequired: 2 }) });
    await approve(task.taskId, "ada");
    await passDeadline(task);
    const done = await waitForTask(task.taskId, (current) => current.status === "expired");
    expect(done.decision).toBeNull();
  });
});
