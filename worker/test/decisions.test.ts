// POST /v1/decisions: token checks, first-decision-wins, replays, conflicts and expiry.
import { env } from "cloudflare:workers";
import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { type DecisionInput, signDecisionToken } from "../src/domain/decision-token.ts";
import type { Decision } from "../src/domain/task.ts";
import { api, createQueuedTask, createTask, decide, decisionToken, passDeadline, waitForTask } from "./support/api.ts";

const SECRET = new TextEncoder().encode(env.DECISION_SIGNING_SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** A token built by hand, to forge the ways a bad sender could get it wrong. */
function forge(taskId: string, claims: Record<string, unknown> = {}, alg = "HS256") {
  return new SignJWT({ decision: "approve", reviewer: { id: "U1", name: "ada" }, ...claims })
    .setProtectedHeader({ alg })
    .setIssuer("slack-app")
    .setSubject(taskId)
    .setAudience("greenlight/decisions")
    .setJti(crypto.randomUUID())
    .setIssuedAt(now())
    .setExpirationTime(now() + 120);
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  return body;
}

describe("POST /v1/decisions", () => {
  it("records an approval: 200 with the decision, and the task moves on", async () => {
    const task = await createTask();
    const response = await decide(await decisionToken(task.taskId, "approve"));

    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      taskId: task.taskId,
      status: "approved",
      decision: {
        decision: "approve",
        reviewer: { id: "U-ada", name: "ada" },
        reason: null,
        decidedAt: expect.any(String),
        via: "slack-app",
      },
    });
    const stored = await waitForTask(task.taskId, (t) => t.status === "completed");
    expect(stored.decision).toEqual((body as { decision: unknown }).decision);
  });

  it("records a rejection with its reason", async () => {
    const task = await createTask();
    const response = await decide(await decisionToken(task.taskId, "reject", { reason: "Contains a licence plate" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "rejected",
      decision: { decision: "reject", reason: "Contains a licence plate" },
    });
    await waitForTask(task.taskId, (t) => t.status === "rejected" && t.decision?.reason === "Contains a licence plate");
  });

  it("answers a retry of the winning token (same jti) with the same 200", async () => {
    const task = await createTask();
    const token = await decisionToken(task.taskId, "approve");
    const first = await decide(token);
    const retry = await decide(token);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(await first.json());
  });

  describe("the winning jti sent with any other claim", () => {
    const winning = (taskId: string): DecisionInput => ({
      taskId,
      decision: "approve",
      reviewer: { id: "U-ada", name: "ada" },
      issuer: "slack-app",
      jti: `jti-${taskId}`,
    });
    const variants: Array<[string, Partial<DecisionInput>]> = [
      ["another decision", { decision: "reject" }],
      ["another reviewer id", { reviewer: { id: "U-mallory", name: "ada" } }],
      ["another reviewer name", { reviewer: { id: "U-ada", name: "mallory" } }],
      ["a reason", { reason: "changed my mind" }],
      ["another issuer", { issuer: "n8n" }],
    ];

    it.each(variants)("with %s is refused with 409 naming the winner, which stands", async (_, change) => {
      const task = await createTask();
      const first = await decide(await signDecisionToken(env.DECISION_SIGNING_SECRET, winning(task.taskId)));
      const winner = (await first.json()) as { decision: Decision };

      const reused = await decide(await signDecisionToken(env.DECISION_SIGNING_SECRET, { ...winning(task.taskId), ...change }));
      expect(reused.status).toBe(409);
      expect(await reused.json()).toEqual({
        error: { code: "already_decided", message: "ada already decided this task.", details: { decision: winner.decision } },
      });
      // The identical claim set, even signed afresh a moment later, is still the winner's retry.
      const resigned = { ...winning(task.taskId), now: new Date(Date.now() + 2000) };
      const retry = await decide(await signDecisionToken(env.DECISION_SIGNING_SECRET, resigned));
      expect(retry.status).toBe(200);
      expect(await retry.json()).toEqual(winner);
      const settled = await waitForTask(task.taskId, (t) => t.status === "completed");
      expect(settled.decision).toEqual(winner.decision);
    });

    it("lets one of many concurrent claim sets under one jti win; the rest get 409 naming it", async () => {
      const task = await createTask();
      const tokens = await Promise.all(
        [{}, ...variants.map(([, change]) => change)].map((change) =>
          signDecisionToken(env.DECISION_SIGNING_SECRET, { ...winning(task.taskId), ...change }),
        ),
      );
      const responses = await Promise.all(tokens.map(decide));
      const bodies = (await Promise.all(responses.map((response) => response.json()))) as Array<Record<string, any>>;
      const winners = bodies.filter((_, index) => responses[index]!.status === 200);
      expect(winners).toHaveLength(1);
      for (const [index, body] of bodies.entries()) {
        if (responses[index]!.status === 200) continue;
        expect(responses[index]!.status).toBe(409);
        expect(body).toMatchObject({ error: { code: "already_decided", details: { decision: winners[0]!.decision } } });
      }
    });
  });

  it("refuses a second, different decision with 409 naming the winner", async () => {
    const task = await createTask();
    const winner = await (await decide(await decisionToken(task.taskId, "reject", { reviewer: "grace", reason: "blurry" }))).json();
    const late = await decide(await decisionToken(task.taskId, "approve", { reviewer: "linus" }));

    const body = await expectError(late, 409, "already_decided");
    expect(body).toEqual({
      error: {
        code: "already_decided",
        message: "grace already decided this task.",
        details: { decision: (winner as { decision: unknown }).decision },
      },
    });
  });

  it("lets exactly one of 20 concurrent conflicting decisions win; the rest get 409 naming it", async () => {
    const task = await createTask();
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        decisionToken(task.taskId, index % 2 ? "approve" : "reject", { reviewer: `reviewer-${index}` }),
      ),
    );
    const responses = await Promise.all(tokens.map(decide));
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as Array<Record<string, any>>;

    const winners = responses.flatMap((response, index) => (response.status === 200 ? [bodies[index]!] : []));
    expect(winners).toHaveLength(1);
    const losers = bodies.filter((_, index) => responses[index]!.status === 409);
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(loser.error.code).toBe("already_decided");
      expect(loser.error.details.decision).toEqual(winners[0]!.decision);
    }
    const settled = await waitForTask(task.taskId, (t) => t.decision !== null && t.status !== "approved");
    expect(settled.decision).toEqual(winners[0]!.decision);
  });

  it("answers 404 for a task that does not exist", async () => {
    const missing = await decide(await decisionToken("tsk_00000000000000000000000000000000", "approve"));
    const body = await expectError(missing, 404, "task_not_found");
    expect(body).toEqual({ error: { code: "task_not_found", message: "No task with this id." } });
  });

  it("answers 409 review_expired once the review has timed out", async () => {
    const task = await createQueuedTask();
    await passDeadline(task);
    await waitForTask(task.taskId, (t) => t.status === "expired");
    const body = await expectError(await decide(await decisionToken(task.taskId, "approve")), 409, "review_expired");
    expect(body).toEqual({ error: { code: "review_expired", message: "The review deadline passed before this decision arrived." } });
  });

  it("refuses a token whose claims are malformed with 400, and records nothing", async () => {
    const task = await createTask();
    const tooLong = await forge(task.taskId, { reason: "x".repeat(501) }).sign(SECRET);
    const badDecision = await forge(task.taskId, { decision: "maybe" }).sign(SECRET);
    for (const token of [tooLong, badDecision]) {
      const body = await expectError(await decide(token), 400, "invalid_request");
      expect(body).toMatchObject({ error: { details: { issues: expect.any(Array) } } });
    }
    expect((await decide(await decisionToken(task.taskId, "approve"))).status).toBe(200);
  });

  describe("refuses bad tokens with 401 invalid_token and records nothing", () => {
    const cases: Array<[string, (taskId: string) => Promise<string>]> = [
      [
        "alg none",
        async (taskId) =>
          new UnsecuredJWT({ decision: "approve", reviewer: { id: "U1", name: "ada" } })
            .setIssuer("slack-app")
            .setSubject(taskId)
            .setAudience("greenlight/decisions")
            .setJti("j")
            .setIssuedAt()
            .setExpirationTime("2m")
            .encode(),
      ],
      ["HS512", async (taskId) => forge(taskId, {}, "HS512").sign(SECRET)],
      ["the wrong secret", async (taskId) => forge(taskId).sign(new TextEncoder().encode("another-secret-that-is-long-enough-0123"))],
      ["the wrong audience", async (taskId) => forge(taskId).setAudience("someone/else").sign(SECRET)],
      [
        "an expiry in the past",
        async (taskId) =>
          forge(taskId)
            .setIssuedAt(now() - 400)
            .setExpirationTime(now() - 100)
            .sign(SECRET),
      ],
      [
        "a lifetime over 5 minutes",
        async (taskId) =>
          forge(taskId)
            .setExpirationTime(now() + 301)
            .sign(SECRET),
      ],
      [
        "an issue time in the future",
        async (taskId) =>
          forge(taskId)
            .setIssuedAt(now() + 120)
            .setExpirationTime(now() + 240)
            .sign(SECRET),
      ],
      [
        "a tampered payload",
        async (taskId) => {
          const [header, payload, signature] = (await forge(taskId, { decision: "reject" }).sign(SECRET)).split(".");
          const claims = JSON.parse(atob(payload!.replaceAll("-", "+").replaceAll("_", "/")));
          const altered = btoa(JSON.stringify({ ...claims, decision: "approve" }))
            .replaceAll("+", "-")
            .replaceAll("/", "_")
            .replace(/=+$/, "");
          return `${header}.${altered}.${signature}`;
        },
      ],
      ["garbage", async () => "not.a.jwt"],
    ];

    it.each(cases)("%s", async (_, makeToken) => {
      const task = await createTask();
      await expectError(await decide(await makeToken(task.taskId)), 401, "invalid_token");
      // Nothing was recorded: a valid decision still wins afterwards.
      expect((await decide(await decisionToken(task.taskId, "reject"))).status).toBe(200);
    });

    it.each([
      ["a missing Authorization header", undefined],
      ["another scheme", "Basic YWRhOnNlY3JldA=="],
      ["a bearer header without a token", "Bearer"],
    ])("%s", async (_, authorization) => {
      const response = await api("/v1/decisions", { method: "POST", headers: authorization === undefined ? {} : { authorization } });
      const body = await expectError(response, 401, "invalid_token");
      expect(body).toEqual({ error: { code: "invalid_token", message: "A decision token is required: Authorization: Bearer <JWT>." } });
    });
  });
});
