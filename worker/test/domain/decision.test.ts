// A decision request: the decision it records, and the fingerprint that tells the winner's retry from another decision.
import { describe, expect, it } from "vitest";
import { decisionFingerprint, decisionOf, type DecisionRequest } from "../../src/domain/decision.ts";

const request: DecisionRequest = {
  taskId: "tsk_0123456789abcdef0123456789abcdef",
  decision: "approve",
  reviewer: { id: "U1", name: "Ada" },
  reason: null,
  via: "slack-app",
  decisionId: "j-1",
};

describe("decisionOf", () => {
  it("records the request at the moment it is decided", () => {
    expect(decisionOf(request, new Date("2026-11-22T10:00:00Z"))).toEqual({
      decision: "approve",
      reviewer: { id: "U1", name: "Ada" },
      reason: null,
      decidedAt: "2026-11-22T10:00:00.000Z",
      via: "slack-app",
    });
  });
});

describe("decisionFingerprint", () => {
  it("is the text gates already hold for their winners, so a retry of one decided earlier still matches", () => {
    expect(decisionFingerprint({ ...request, reason: "blurry" })).toBe('["j-1","slack-app","approve","U1","Ada","blurry"]');
  });

  it.each<[string, Partial<DecisionRequest>]>([
    ["the decision id", { decisionId: "j-2" }],
    ["the decision", { decision: "reject" }],
    ["the reviewer id", { reviewer: { id: "U2", name: "Ada" } }],
    ["the reviewer name", { reviewer: { id: "U1", name: "Grace" } }],
    ["the reason", { reason: "" }],
    ["the sender", { via: "n8n" }],
  ])("changes with %s", (_, change) => {
    expect(decisionFingerprint({ ...request, ...change })).not.toBe(decisionFingerprint(request));
  });
});
