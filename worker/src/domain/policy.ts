// A task's review policy: how many distinct reviewers must approve, what its deadline does, who may not approve, and
// when reminders and an escalation come due before the deadline.
import { z } from "zod";
import { invalidRequest } from "../errors.ts";
import { parseDuration } from "./duration.ts";
import { jsonText } from "./json-text.ts";
import { ReviewerSchema } from "./reviewer.ts";

export const MAX_APPROVALS_REQUIRED = 5;
// Enough for a submitter's several identities (Slack, console, n8n) and a team's bots; a bound keeps the gate small.
const MAX_EXCLUDED_REVIEWERS = 50;
const MAX_REMINDERS = 3;

const durationMs = (text: string): number | undefined => {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
};
const DurationSchema = z
  .string()
  .max(50)
  .refine((text) => durationMs(text) !== undefined, { message: 'Not a duration (try "2 hours" or "90 minutes").' });

export const ReviewPolicySchema = z
  .object({
    approvalsRequired: z.number().int().min(1).max(MAX_APPROVALS_REQUIRED).meta({
      description: "Distinct reviewers who must approve; any rejection decides at once.",
    }),
    onDeadline: z.enum(["expire", "reject"]).meta({
      description: "What the review deadline does to an undecided task: expire it, or reject it (reviewer greenlight, via deadline).",
    }),
    excludedReviewers: z.array(ReviewerSchema.shape.id).max(MAX_EXCLUDED_REVIEWERS).meta({
      description: "Reviewer ids whose approval is refused (403 reviewer_excluded), such as the submitter's own.",
    }),
    remindAfter: z.array(DurationSchema).min(1).max(MAX_REMINDERS).optional().meta({
      description: "Up to 3 durations after upload, in increasing order and before the deadline: each makes a reminder due.",
    }),
    escalateAfter: DurationSchema.optional().meta({
      description: "A duration after upload, before the deadline: escalation to escalateTo becomes due. Needs escalateTo.",
    }),
    escalateTo: z.string().min(1).max(200).optional().meta({
      description: "Where an escalation goes (a Slack channel or user group id); opaque to Greenlight. Needs escalateAfter.",
    }),
  })
  .meta({ id: "ReviewPolicy" });
export type ReviewPolicy = z.infer<typeof ReviewPolicySchema>;

/** What an upload or a client's default in REVIEW_POLICIES may say: any of the fields; an unknown one is a mistake. */
export const ReviewPolicyInputSchema = ReviewPolicySchema.partial()
  .strict()
  .superRefine((policy, context) => {
    const reminders = (policy.remindAfter ?? []).map(durationMs);
    if (reminders.some((ms, index) => index > 0 && ms !== undefined && (reminders[index - 1] ?? 0) >= ms)) {
      context.addIssue({ code: "custom", path: ["remindAfter"], message: "Reminders must come in increasing order." });
    }
    if ((policy.escalateAfter === undefined) !== (policy.escalateTo === undefined)) {
      context.addIssue({ code: "custom", path: ["escalateTo"], message: "escalateAfter and escalateTo come together." });
    }
  });
export type ReviewPolicyInput = z.infer<typeof ReviewPolicyInputSchema>;

/** The durations of a resolved policy's stages, in milliseconds after upload. */
export const stageDelays = (policy: ReviewPolicy): { reminders: number[]; escalation: number | undefined } => ({
  reminders: (policy.remindAfter ?? []).map(parseDuration),
  escalation: policy.escalateAfter === undefined ? undefined : parseDuration(policy.escalateAfter),
});

/** Why a policy's stages cannot run within a review of `reviewMs` (each must come before the deadline), or undefined. */
export function stagesBeyondDeadline(policy: ReviewPolicy, reviewMs: number): string | undefined {
  const { reminders, escalation } = stageDelays(policy);
  if (reminders.some((ms) => ms >= reviewMs)) return "remindAfter";
  if (escalation !== undefined && escalation >= reviewMs) return "escalateAfter";
  return undefined;
}

/** Today's behaviour: the first decision decides, and the deadline expires the task. */
export const DEFAULT_POLICY: ReviewPolicy = { approvalsRequired: 1, onDeadline: "expire", excludedReviewers: [] };

/**
 * The task's policy: the upload's fields over its client's default, over DEFAULT_POLICY. Its reminders and escalation
 * must each come before the review deadline, `reviewMs` after upload: otherwise 400 invalid_request.
 */
export function resolvePolicy(
  clientDefault: ReviewPolicyInput | undefined,
  upload: ReviewPolicyInput | undefined,
  reviewMs: number,
): ReviewPolicy {
  const policy = { ...DEFAULT_POLICY, ...clientDefault, ...upload };
  const beyond = stagesBeyondDeadline(policy, reviewMs);
  if (beyond) {
    throw invalidRequest("policy's reminders and escalation must each come before the review deadline.", {
      issues: [{ path: `policy.${beyond}`, message: `Must be shorter than the review deadline (${reviewMs} ms).` }],
    });
  }
  return policy;
}

/** One counted approval, as reviewers and clients see it. */
export const ApprovalSchema = z.object({ reviewer: ReviewerSchema, decidedAt: z.iso.datetime() }).meta({ id: "Approval" });
export type Approval = z.infer<typeof ApprovalSchema>;

/** The policy an upload sends as JSON text: the multipart field `policy`, or the `Review-Policy` header. */
export const ReviewPolicyTextSchema = jsonText(ReviewPolicyInputSchema);
export const POLICY_HEADER = "review-policy";
