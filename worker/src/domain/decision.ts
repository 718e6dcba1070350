// A reviewer's decision as every transport hands it in, and every outcome it can meet: declared once, mapped by each
// transport in one place (the API to status and envelope, the console to HTML, the Slack app to Block Kit).
import { type Decision, type DecisionResult, statusAfter } from "./task.ts";

/** A decision as plain input, whoever sent it: Slack and n8n through a decision token, the console from its form. */
export type DecisionRequest = Pick<Decision, "decision" | "reviewer" | "reason" | "via"> & {
  taskId: string;
  /** The idempotency id (a token's jti): only this same request under this same id is a retry of the winner. */
  decisionId: string;
};

export type DecisionOutcome =
  /** The decision won, or is a retry of the one that did. */
  | { outcome: "decided"; result: DecisionResult }
  /** Another decision won first; it stands. */
  | { outcome: "already_decided"; decision: Decision }
  | { outcome: "expired" }
  /** The task was deleted, so its review is closed. */
  | { outcome: "withdrawn" }
  | { outcome: "not_found" };

export const decisionOf = (request: DecisionRequest, decidedAt: Date): Decision => ({
  decision: request.decision,
  reviewer: request.reviewer,
  reason: request.reason,
  decidedAt: decidedAt.toISOString(),
  via: request.via,
});

export const decided = (taskId: string, decision: Decision): DecisionOutcome => ({
  outcome: "decided",
  result: { taskId, status: statusAfter(decision), decision },
});

/**
 * The winning request as the task's gate keeps it: only a request with this same fingerprint is a retry. The task is
 * the gate's own and the time is left out, so a sender may re-sign a retry whose first token expired. Plain JSON, not
 * a hash: the gate compares it synchronously, and an exact string cannot collide.
 */
export const decisionFingerprint = (request: DecisionRequest): string =>
  JSON.stringify([request.decisionId, request.via, request.decision, request.reviewer.id, request.reviewer.name, request.reason]);
