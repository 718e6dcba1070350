// A reviewer's decision as every transport hands it in, and every outcome it can meet: declared once, mapped by each
// transport in one place (the API to status and envelope, the console to HTML, the Slack app to Block Kit).
import { z } from "zod";
import { type Approval, ApprovalSchema, type ReviewPolicy } from "./policy.ts";
import { type Decision, type DecisionResult, statusAfter } from "./task.ts";

/** A decision as plain input, whoever sent it: Slack and n8n through a decision token, the console from its form. */
export type DecisionRequest = Pick<Decision, "decision" | "reviewer" | "reason" | "via"> & {
  taskId: string;
  /** The idempotency id (a token's jti): only this same request under this same id is a retry of the winner. */
  decisionId: string;
};

/** What POST /v1/decisions answers for an approval that counted towards a quorum not yet reached. */
export const ApprovalProgressSchema = z
  .object({
    taskId: z.string(),
    status: z.literal("pending"),
    approvals: z.array(ApprovalSchema),
    approvalsRequired: z.number().int(),
  })
  .meta({ id: "ApprovalProgress" });
export type ApprovalProgress = z.infer<typeof ApprovalProgressSchema>;

export type DecisionOutcome =
  /** The decision won, or is a retry of the one that did. */
  | { outcome: "decided"; result: DecisionResult }
  /** An approval counted (or this reviewer's was already counted), and the task waits for more. */
  | { outcome: "approval_counted"; progress: ApprovalProgress }
  /** The task's policy names this reviewer among those who may not approve it; nothing was counted. */
  | { outcome: "excluded" }
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

/** A counted approval as the gate keeps it: with its request's fingerprint, so a retry of it is recognised. */
export type Ballot = Approval & { fingerprint: string };

/** What one decision does to a pending review under its policy, given the approvals counted so far. */
export type Tally =
  | { kind: "excluded" }
  | { kind: "counted"; ballots: Ballot[] }
  | { kind: "decided"; decision: Decision; ballots: Ballot[] };

/**
 * The quorum rule: any rejection decides at once; an approval counts once per reviewer (a second one from the same
 * reviewer changes nothing), and the approval that brings the count to `approvalsRequired` decides. A reviewer the
 * policy excludes may not approve, and their approval counts nothing.
 */
export function tallyDecision(policy: ReviewPolicy, ballots: Ballot[], request: DecisionRequest, fingerprint: string, now: Date): Tally {
  const quorum = policy.approvalsRequired > 1;
  // A single-approval policy decides exactly as before quorums existed: no approvals on the decision.
  const decide = (decision: Decision, counted: Ballot[]): Tally => ({
    kind: "decided",
    decision: quorum ? { ...decision, approvals: counted.map(publicApproval) } : decision,
    ballots: counted,
  });
  if (request.decision === "reject") return decide(decisionOf(request, now), ballots);
  if (policy.excludedReviewers.includes(request.reviewer.id)) return { kind: "excluded" };
  if (ballots.some((ballot) => ballot.reviewer.id === request.reviewer.id)) return { kind: "counted", ballots };
  const counted = [...ballots, { reviewer: request.reviewer, decidedAt: now.toISOString(), fingerprint }];
  if (counted.length < policy.approvalsRequired) return { kind: "counted", ballots: counted };
  return decide(decisionOf(request, now), counted);
}

export const publicApproval = ({ reviewer, decidedAt }: Ballot | Approval): Approval => ({ reviewer, decidedAt });

/** The `via` of a decision no reviewer made: the deadline passed under `onDeadline: "reject"`. */
export const VIA_DEADLINE = "deadline";

/** The decision the deadline takes under `onDeadline: "reject"`, made by Greenlight itself at the deadline. */
export const deadlineRejection = (deadline: number, ballots: Ballot[], policy: ReviewPolicy): Decision => ({
  decision: "reject",
  reviewer: { id: "greenlight", name: "Greenlight" },
  reason: "review deadline passed",
  decidedAt: new Date(deadline).toISOString(),
  via: VIA_DEADLINE,
  ...(policy.approvalsRequired > 1 && { approvals: ballots.map(publicApproval) }),
});
