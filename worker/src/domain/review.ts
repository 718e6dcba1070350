// What reviewer tooling sees and sends: review items, claims and announcements.
import { z } from "zod";
import { ApprovalSchema } from "./policy.ts";
import { PrescreenSchema } from "./prescreen.ts";
import { ReviewStageSchema, StageFields } from "./stages.ts";
import { type Decision, DecisionSchema, ImageFactsSchema, MetadataSchema, statusAfter, type TaskStatus, TaskStatusSchema } from "./task.ts";

/** How far a review is towards its quorum: shown on every review item and review status. */
const QuorumFields = {
  approvals: z.array(ApprovalSchema).meta({ description: "The approvals counted so far, one per reviewer, in order." }),
  approvalsRequired: z.number().int().min(1).meta({ description: "Distinct approvals the task's policy needs." }),
};

export const ReviewItemSchema = z
  .object({
    taskId: z.string(),
    createdAt: z.iso.datetime(),
    reviewDeadline: z.iso.datetime(),
    client: z.string(),
    metadata: MetadataSchema,
    image: ImageFactsSchema.omit({ sha256: true }).extend({
      previewUrl: z.url().meta({ description: "Signed, expiring URL that needs no other credentials." }),
    }),
    prescreen: PrescreenSchema.nullable(),
    ...QuorumFields,
    stages: z.array(z.object(StageFields)).meta({
      description:
        "The policy's reminders and escalation that have come due by now, in order: a task with any is overdue, one with the escalation is escalated.",
    }),
  })
  .meta({ id: "ReviewItem" });
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ClaimRequestSchema = z.object({ limit: z.number().int().min(1).max(100) });

export const AnnouncementSchema = z.object({
  channel: z.string().min(1).max(200),
  messageTs: z.string().min(1).max(100),
});
export type Announcement = z.infer<typeof AnnouncementSchema>;

/** How a review stands, for tooling that keeps its own messages honest after a task leaves the queue. */
export const ReviewStatusSchema = z
  .object({
    taskId: z.string(),
    status: TaskStatusSchema,
    reviewDeadline: z.iso.datetime(),
    decision: DecisionSchema.nullable(),
    announcement: AnnouncementSchema.nullable(),
    ...QuorumFields,
    stages: z.array(ReviewStageSchema).meta({
      description: "The policy's reminders and escalation that have come due, in order, each with when it was confirmed delivered.",
    }),
  })
  .meta({ id: "ReviewStatus" });
export type ReviewStatus = z.infer<typeof ReviewStatusSchema>;

/**
 * A task's status from its gate and its record. The gate knows at once whether the review was decided or expired;
 * the record adds what came after a decision (completed, failed), and may still say pending a moment after one won.
 */
export function reviewedStatus(
  gate: { state: "pending" | "decided" | "expired"; decision: Decision | null },
  recorded: TaskStatus | undefined,
): TaskStatus {
  if (gate.state !== "decided" || !gate.decision) return gate.state === "expired" ? "expired" : "pending";
  return recorded && recorded !== "pending" ? recorded : statusAfter(gate.decision);
}
