// A task's review policy: how many distinct reviewers must approve, what its deadline does, and who may not approve.
import { z } from "zod";
import { jsonText } from "./json-text.ts";
import { ReviewerSchema } from "./reviewer.ts";

export const MAX_APPROVALS_REQUIRED = 5;
// Enough for a submitter's several identities (Slack, console, n8n) and a team's bots; a bound keeps the gate small.
const MAX_EXCLUDED_REVIEWERS = 50;

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
  })
  .meta({ id: "ReviewPolicy" });
export type ReviewPolicy = z.infer<typeof ReviewPolicySchema>;

/** What an upload or a client's default in REVIEW_POLICIES may say: any of the fields; an unknown one is a mistake. */
export const ReviewPolicyInputSchema = ReviewPolicySchema.partial().strict();
export type ReviewPolicyInput = z.infer<typeof ReviewPolicyInputSchema>;

/** Today's behaviour: the first decision decides, and the deadline expires the task. */
export const DEFAULT_POLICY: ReviewPolicy = { approvalsRequired: 1, onDeadline: "expire", excludedReviewers: [] };

/** The task's policy: the upload's fields over its client's default, over DEFAULT_POLICY. */
export const resolvePolicy = (clientDefault: ReviewPolicyInput | undefined, upload: ReviewPolicyInput | undefined): ReviewPolicy => ({
  ...DEFAULT_POLICY,
  ...clientDefault,
  ...upload,
});

/** One counted approval, as reviewers and clients see it. */
export const ApprovalSchema = z.object({ reviewer: ReviewerSchema, decidedAt: z.iso.datetime() }).meta({ id: "Approval" });
export type Approval = z.infer<typeof ApprovalSchema>;

/** The policy an upload sends as JSON text: the multipart field `policy`, or the `Review-Policy` header. */
export const ReviewPolicyTextSchema = jsonText(ReviewPolicyInputSchema);
export const POLICY_HEADER = "review-policy";
