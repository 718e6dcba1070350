// The Slack app's Greenlight client against a stand-in that answers as the contract does: POST /v1/decisions' answers
// read back into the Worker's own outcome union, what happens when Greenlight refuses or cannot be asked, and the queue
// read page by page.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Decision } from "../../worker/src/domain/task.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { createWorkerClient, type DecisionRequest } from "../../slack-app/worker-client.ts";
import { ADA, STAND_IN } from "./fixtures.ts";
import { type GreenlightStandIn, newTaskId, reviewItem, startGreenlightStandIn } from "./greenlight-stand-in.ts";

let greenlight: GreenlightStandIn;
beforeEach(async () => {
  greenlight = await startGreenlightStandIn(STAND_IN);
});
afterEach(() => greenlight.close());

const client = (baseUrl = greenlight.url, decisionSecret = STAND_IN.decisionSecret) =>
  createWorkerClient({ baseUrl, decisionSecret, reviewerToken: STAND_IN.reviewerToken });
const approve = (taskId: string): DecisionRequest => ({ taskId, decision: "approve", reviewer: ADA });

describe("a decision's answer", () => {
  it("is the decision when it wins", async () => {
    const taskId = newTaskId();
    greenlight.tasks.set(taskId, { state: "pending" });
    const reply = await client().decide({ ...approve(taskId), decision: "reject", reason: "blurry" });
    expect(reply).toEqual({
      outcome: "decided",
      result: {
        taskId,
        status: "rejected",
        decision: { decision: "reject", reviewer: ADA, reason: "blurry", decidedAt: expect.any(String), via: "slack-app" },
      },
    });
  });

  it("names the winner when another decision got there first", async () => {
    const taskId = newTaskId();
    const winner: Decision = {
      decision: "reject",
      reviewer: { id: "console-olive", name: "Olive" },
      reason: "blurry",
      decidedAt: new Date().toISOString(),
      via: "console",
    };
    greenlight.tasks.set(taskId, { state: "decided", decision: winner, jti: "elsewhere" });
    expect(await client().decide(approve(taskId))).toEqual({ outcome: "already_decided", decision: winner });
  });

  it("says expired, withdrawn or not found as the contract's 409s and 404 do", async () => {
    const [expired, withdrawn] = [newTaskId(), newTaskId()];
    greenlight.tasks.set(expired, { state: "expired" });
    greenlight.tasks.set(withdrawn, { state: "withdrawn" });
    expect(await client().decide(approve(expired))).toEqual({ outcome: "expired" });
    expect(await client().decide(approve(withdrawn))).toEqual({ outcome: "withdrawn" });
    expect(await client().decide(approve(newTaskId()))).toEqual({ outcome: "not_found" });
  });

  it("is a refusal, with Greenlight's status, code and message, when the token is not accepted", async () => {
    const taskId = newTaskId();
    greenlight.tasks.set(taskId, { state: "pending" });
    const reply = await client(greenlight.url, "a-different-secret-0123456789abcdef").decide(approve(taskId));
    expect(reply).toEqual({ outcome: "refused", status: 401, code: "invalid_token", message: expect.any(String) });
    expect(greenlight.tasks.get(taskId)).toEqual({ state: "pending" });
  });

  it("is sent again with the same token after a 5xx, and is unanswered after two", async () => {
    const [retried, failed] = [newTaskId(), newTaskId()];
    greenlight.tasks.set(retried, { state: "pending" });
    greenlight.tasks.set(failed, { state: "pending" });
    greenlight.failNext = 1;
    expect(await client().decide(approve(retried))).toMatchObject({ outcome: "decided", result: { taskId: retried } });
    expect(greenlight.decisionTokens).toHaveLength(2);
    expect(greenlight.decisionTokens[1]).toBe(greenlight.decisionTokens[0]);

    greenlight.failNext = 2;
    expect(await client().decide(approve(failed))).toEqual({ outcome: "unanswered", reason: "Greenlight answered 503" });
    expect(greenlight.decisionTokens.slice(2)).toHaveLength(2);
    expect(greenlight.tasks.get(failed)).toEqual({ state: "pending" });
  });

  it("is unanswered when nothing listens at Greenlight's address", async () => {
    const port = await freePort();
    expect(await client(`http://127.0.0.1:${port}`).decide(approve(newTaskId()))).toEqual({
      outcome: "unanswered",
      reason: `no answer from Greenlight at http://127.0.0.1:${port} (ECONNREFUSED)`,
    });
  });
});

describe("the pending queue", () => {
  it("is read a page of 100 at a time, and says when pages remained past the limit", async () => {
    greenlight.pending = Array.from({ length: 250 }, () => reviewItem(newTaskId()));
    const all = await client().listPending(10);
    expect(all).toEqual({ items: greenlight.pending, complete: true });
    expect(greenlight.requests).toEqual([
      "GET /v1/reviews?limit=100",
      "GET /v1/reviews?limit=100&cursor=100",
      "GET /v1/reviews?limit=100&cursor=200",
    ]);

    const first = await client().listPending(2);
    expect(first).toEqual({ items: greenlight.pending.slice(0, 200), complete: false });
  });
});
