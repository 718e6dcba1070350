// The task as clients see it, the record Greenlight stores, and the status machine between them.
import { z } from "zod";
import { ApprovalSchema, ReviewPolicySchema } from "./policy.ts";
import { PrescreenSchema } from "./prescreen.ts";
import { ReviewerSchema } from "./reviewer.ts";
import { TagSchema } from "./tag.ts";

export { type Reviewer, ReviewerSchema } from "./reviewer.ts";
export type { Tag } from "./tag.ts";

export const TASK_ID_PATTERN = /^tsk_[0-9a-f]{32}$/;

export const TaskStatusSchema = z.enum(["pending", "approved", "completed", "failed", "rejected", "expired"]);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "rejected", "expired"]);

/** The longest reason a reviewer may give, in characters. */
export const MAX_REASON_LENGTH = 500;

export const DecisionSchema = z
  .object({
    decision: z.enum(["approve", "reject"]),
    reviewer: ReviewerSchema,
    reason: z.string().max(MAX_REASON_LENGTH).nullable(),
    decidedAt: z.iso.datetime(),
    via: z.string(),
    approvals: z.array(ApprovalSchema).optional().meta({
      description:
        "Under a policy of more than one approval: the approvals counted, in order (the quorum for an approval, those before it for a rejection).",
    }),
  })
  .meta({ id: "Decision" });
export type Decision = z.infer<typeof DecisionSchema>;

/** What POST /v1/decisions answers: the winning decision and the status it moved the task to. */
export const DecisionResultSchema = z
  .object({ taskId: z.string(), status: TaskStatusSchema, decision: DecisionSchema })
  .meta({ id: "DecisionResult" });
export type DecisionResult = z.infer<typeof DecisionResultSchema>;

export const CallbackSchema = z.object({
  url: z.string().nullable(),
  state: z.enum(["none", "pending", "delivered", "failed"]),
  attempts: z.number().int().min(0),
  lastError: z.string().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
  // Optional because tasks are created without it: it appears with the first delivery attempt.
  nextAttemptAt: z.iso
    .datetime()
    .nullable()
    .optional()
    .meta({ description: "When the next scheduled delivery attempt is due; null when none is. Absent until the first attempt." }),
});
export type Callback = z.infer<typeof CallbackSchema>;

export const ImageFactsSchema = z.object({
  contentType: z.enum(["image/png", "image/jpeg", "image/gif", "image/webp"]),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type ImageFacts = z.infer<typeof ImageFactsSchema>;

export const MetadataSchema = z.record(z.string(), z.unknown());
export type Metadata = z.infer<typeof MetadataSchema>;

export const TaskSchema = z
  .object({
    taskId: z.string().regex(TASK_ID_PATTERN),
    status: TaskStatusSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    reviewDeadline: z.iso.datetime(),
    image: ImageFactsSchema,
    metadata: MetadataSchema,
    decision: DecisionSchema.nullable(),
    tags: z.array(TagSchema).nullable(),
    caption: z.string().nullable().meta({ description: "A one-line description, when CAPTION_MODEL is set." }),
    policy: ReviewPolicySchema.optional().meta({
      description: "How the task is reviewed. Absent only on tasks created before review policies, which have the default.",
    }),
    callback: CallbackSchema,
    retries: z.number().int().min(1).optional().meta({
      description: "How often its client asked for this failed task to be tried again (POST /v1/tasks/{id}/retry). Absent until the first.",
    }),
    receipt: z.string().optional().meta({
      description:
        "The signed receipt of the latest final state the task reached: a compact JWS whose payload is a Receipt, verified with GET /.well-known/jwks.json. Absent until the first final state; a retried task keeps it until the next.",
    }),
    links: z.object({ self: z.string(), image: z.string() }),
  })
  .meta({ id: "Task" });
export type Task = z.infer<typeof TaskSchema>;

/** What KV keeps: the public task, who owns it, and the reviewer-only pre-screen (other tasks' ids stay off the task). */
export const TaskRecordSchema = z.object({
  clientId: z.string(),
  task: TaskSchema,
  prescreen: PrescreenSchema.nullable(),
});
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

export const newTaskId = () => `tsk_${crypto.randomUUID().replaceAll("-", "")}`;

export const taskLinks = (taskId: string) => ({
  self: `/v1/tasks/${taskId}`,
  image: `/v1/tasks/${taskId}/image`,
});

/** The status a decision moves a pending task to. */
export const statusAfter = (decision: Decision): TaskStatus => (decision.decision === "approve" ? "approved" : "rejected");

/**
 * What a granted retry changes: the approved task is tagged again from scratch, and its callback starts over for the
 * new final event (the log keeps the earlier attempts).
 */
export function retriedTask(task: Task, retries: number): Partial<Task> {
  const { url } = task.callback;
  return {
    status: "approved",
    retries,
    tags: null,
    caption: null,
    callback: { url, state: url ? "pending" : "none", attempts: 0, lastError: null, deliveredAt: null, nextAttemptAt: null },
  };
}

/** Returns a copy of the record with the task changed and updatedAt moved to `at` (ISO-8601). */
export function updateTask(record: TaskRecord, change: Partial<Task>, at: string): TaskRecord {
  return { ...record, task: { ...record.task, ...change, updatedAt: at } };
}
