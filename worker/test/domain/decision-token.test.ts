// Decision tokens as the senders (Slack app, n8n, console, CLI) make them and the Worker reads them.
import { describe, expect, it } from "vitest";
import { decisionRequestFromClaims, DecisionTokenError, signDecisionToken, verifyDecisionToken } from "../../src/domain/decision-token.ts";

const SECRET = "dev-decision-secret-0123456789abcdef";
const TASK = "tsk_0123456789abcdef0123456789abcdef";

describe("decision tokens", () => {
  it("round-trips the contract's claims", async () => {
    const now = new Date("2026-11-22T10:00:00Z");
    const token = await signDecisionToken(SECRET, {
      taskId: TASK,
      decision: "reject",
      reviewer: { id: "U1", name: "Ada" },
      reason: "blurry",
      issuer: "slack-app",
      jti: "j-1",
      now,
    });
    expect(await verifyDecisionToken(SECRET, token, now)).toEqual({
      iss: "slack-app",
      sub: TASK,
      decision: "reject",
      reviewer: { id: "U1", name: "Ada" },
      reason: "blurry",
      jti: "j-1",
      iat: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 300,
    });
  });

  it("tolerates 60 seconds of clock skew and no more", async () => {
    const issued = new Date("2026-11-22T10:00:00Z");
    const token = await signDecisionToken(SECRET, {
      taskId: TASK,
      decision: "approve",
      reviewer: { id: "U1", name: "Ada" },
      issuer: "n8n",
      now: issued,
    });
    await expect(verifyDecisionToken(SECRET, token, new Date(issued.getTime() + 359_000))).resolves.toMatchObject({ sub: TASK });
    await expect(verifyDecisionToken(SECRET, token, new Date(issued.getTime() + 361_000))).rejects.toBeInstanceOf(DecisionTokenError);
  });

  it("refuses to sign or verify with a secret shorter than 32 bytes", async () => {
    const input = { taskId: TASK, decision: "approve" as const, reviewer: { id: "U1", name: "Ada" }, issuer: "cli" };
    await expect(signDecisionToken("short", input)).rejects.toThrow(/at least 32 bytes/);
    await expect(verifyDecisionToken("short", await signDecisionToken(SECRET, input))).rejects.toThrow(/at least 32 bytes/);
  });

  it("becomes a plain decision request: the sender (iss) as via, the jti as its decision id, no reason as null", async () => {
    const now = new Date("2026-11-22T10:00:00Z");
    const reviewer = { id: "U1", name: "Ada" };
    const token = await signDecisionToken(SECRET, { taskId: TASK, decision: "approve", reviewer, issuer: "n8n", jti: "j-7", now });
    expect(decisionRequestFromClaims(await verifyDecisionToken(SECRET, token, now))).toEqual({
      taskId: TASK,
      decision: "approve",
      reviewer: { id: "U1", name: "Ada" },
      reason: null,
      via: "n8n",
      decisionId: "j-7",
    });
  });
});
