// Decision tokens as the senders (Slack app, n8n, console, CLI) make them and the Worker reads them.
import { describe, expect, it } from "vitest";
import { decisionFingerprint, DecisionTokenError, signDecisionToken, verifyDecisionToken } from "../../src/domain/decision-token.ts";
import type { Decision } from "../../src/domain/task.ts";

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
    const token = await signDecisionToken(SECRET, { taskId: TASK, decision: "approve", reviewer: { id: "U1", name: "Ada" }, issuer: "n8n", now: issued });
    await expect(verifyDecisionToken(SECRET, token, new Date(issued.getTime() + 359_000))).resolves.toMatchObject({ sub: TASK });
    await expect(verifyDecisionToken(SECRET, token, new Date(issued.getTime() + 361_000))).rejects.toBeInstanceOf(DecisionTokenError);
  });

  it("refuses to sign or verify with a secret shorter than 32 bytes", async () => {
    const input = { taskId: TASK, decision: "approve" as const, reviewer: { id: "U1", name: "Ada" }, issuer: "cli" };
    await expect(signDecisionToken("short", input)).rejects.toThrow(/at least 32 bytes/);
    await expect(verifyDecisionToken("short", await signDecisionToken(SECRET, input))).rejects.toThrow(/at least 32 bytes/);
  });

  describe("decisionFingerprint", () => {
    const decision: Decision = {
      decision: "approve",
      reviewer: { id: "U1", name: "Ada" },
      reason: null,
      decidedAt: "2026-11-22T10:00:00.000Z",
      via: "slack-app",
    };

    it("is the same for the same claim set under the same jti, whenever it was decided", () => {
      expect(decisionFingerprint({ ...decision, decidedAt: "2026-11-22T10:04:59.000Z" }, "j-1")).toBe(decisionFingerprint(decision, "j-1"));
    });

    it.each<[string, Decision, string]>([
      ["the jti", decision, "j-2"],
      ["the decision", { ...decision, decision: "reject" }, "j-1"],
      ["the reviewer id", { ...decision, reviewer: { id: "U2", name: "Ada" } }, "j-1"],
      ["the reviewer name", { ...decision, reviewer: { id: "U1", name: "Grace" } }, "j-1"],
      ["the reason", { ...decision, reason: "" }, "j-1"],
      ["the issuer", { ...decision, via: "n8n" }, "j-1"],
    ])("changes with %s", (_, changed, jti) => {
      expect(decisionFingerprint(changed, jti)).not.toBe(decisionFingerprint(decision, "j-1"));
    });
  });
});
