// A task's life as its client can follow it live: each change of the task becomes one event, in order, once.
import { z } from "zod";
import { type Stage, StageFields, stageFields, stageName } from "./stages.ts";
import { FINAL_STATUSES, type Task, TaskSchema } from "./task.ts";

export const TaskEventTypeSchema = z.enum([
  "prescreened",
  "queued",
  "reminded",
  "escalated",
  "decided",
  "expired",
  "retried",
  "tagged",
  "completed",
  "failed",
  "callback.delivered",
  "callback.failed",
  "deleted",
]);
export type TaskEventType = z.infer<typeof TaskEventTypeSchema>;

/** An event before the task's log numbers it. `key` names the change, so a repeated write adds nothing. */
export type TaskEventDraft = { key: string; type: TaskEventType; stage?: ReturnType<typeof stageFields> };

/** What one write of the task's record adds to its log: the events, the task after the write, and when. */
export type TaskEvents = { drafts: TaskEventDraft[]; task: Task; at: string };

/** An event as the log keeps it and a stream sends it: `task` is the task as it stood right after the change. */
export type TaskEvent = {
  id: number;
  type: TaskEventType | "state";
  at: string;
  task: Task | null;
  stage?: ReturnType<typeof stageFields>;
};

/**
 * What a task's log sends a stream, a batch per message: the events of one write, or first the backlog and where the
 * log stands (its last id, and whether its task had settled), so a stream that resumes at the end knows whether to wait.
 */
export type StreamMessage = TaskEvent | { type: "sync"; id: number; settled: boolean };

export const TaskEventDataSchema = z
  .object({
    type: z.union([z.literal("state"), TaskEventTypeSchema]).meta({
      description: "`state` first (the task as it stands when the stream opens), then one event per change.",
    }),
    at: z.iso.datetime(),
    task: TaskSchema.nullable().meta({ description: "The task right after the change; null only for `deleted`." }),
    stage: z.object(StageFields).optional().meta({ description: "For `reminded` and `escalated`: the policy's stage that came due." }),
  })
  .meta({ id: "TaskEvent" });

// A retried task lives its work again: its events count again, under the run's number.
const run = (task: Task) => task.retries ?? 0;

/**
 * The events one write of the record makes: what changed between `before` and `after`. The pre-screen's write makes
 * `prescreened`, and `queued` when the task is pending; the workflow's make the rest.
 */
export function eventsBetween(before: Task, after: Task, prescreened = false): TaskEventDraft[] {
  const events: TaskEventDraft[] = [];
  const add = (type: TaskEventType) => events.push({ key: `${type}:${run(after)}`, type });
  if (prescreened) {
    add("prescreened");
    if (after.status === "pending") add("queued");
  }
  if (run(after) > run(before)) add("retried");
  if (after.decision && !before.decision) add("decided");
  if (after.status === "expired" && before.status !== "expired") add("expired");
  if (after.tags && !before.tags) add("tagged");
  if ((after.status === "completed" || after.status === "failed") && after.status !== before.status) add(after.status);
  if (after.callback.state !== before.callback.state && (after.callback.state === "delivered" || after.callback.state === "failed")) {
    add(`callback.${after.callback.state}`);
  }
  return events;
}

/** The event a review stage makes when it comes due at the task's gate. */
export const stageEvent = (stage: Stage): TaskEventDraft => ({
  key: stageName(stage),
  type: stage.stage === "reminder" ? "reminded" : "escalated",
  stage: stageFields(stage),
});

/** Nothing more will happen to the task unless its client retries it: final, and its callback settled. */
export const settledTask = (task: Task): boolean => FINAL_STATUSES.has(task.status) && task.callback.state !== "pending";
