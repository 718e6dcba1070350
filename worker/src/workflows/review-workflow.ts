// One instance per task, started by its gate once the review has ended: record the outcome, tag approved images,
// call the client back. Nothing here waits for a human.
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";
import { deliverCallback } from "../adapters/callbacks.ts";
import { settleAtGate } from "../adapters/decision-gate.ts";
import { readImageBytes } from "../adapters/image-store.ts";
import type { ReviewParams } from "../adapters/review-workflow.ts";
import { captionImage, tagImage } from "../adapters/tagger.ts";
import { dequeuePending, getTaskRecord, putTaskRecord } from "../adapters/task-store.ts";
import { readSettings, type Settings } from "../config.ts";
import { buildCallbackMessage } from "../domain/callback-event.ts";
import { checkCallbackUrl } from "../domain/callback-url.ts";
import { type Callback, statusAfter, type Tag, type Task, type TaskRecord, TaskRecordSchema, updateTask } from "../domain/task.ts";

// Step names are replay keys and test handles: stable phrases, never ids or counters.
export const STEPS = {
  settleReview: "settle review",
  loadRecord: "load record",
  recordDecision: "record decision",
  tagImage: "tag image",
  captionImage: "caption image",
  recordTags: "record tags",
  prepareCallback: "prepare callback",
  deliverCallback: "deliver callback",
  recordCallback: "record callback outcome",
} as const;

// KV allows one write per second per key, so a record write that collides retries after a pause.
const STORE: WorkflowStepConfig = { retries: { limit: 5, delay: "1 second", backoff: "exponential" }, timeout: "30 seconds" };
const TAG: WorkflowStepConfig = { retries: { limit: 3, delay: "10 seconds", backoff: "exponential" }, timeout: "2 minutes" };
// 7 attempts, 1 + 2 + 4 + 8 + 16 + 32 = 63 minutes apart in all: the contract asks for 6 over an hour at least.
export const CALLBACK_ATTEMPTS = 7;
const CALLBACK: WorkflowStepConfig = {
  retries: { limit: CALLBACK_ATTEMPTS - 1, delay: "1 minute", backoff: "exponential" },
  timeout: "30 seconds",
};

type CallbackOutcome = Pick<Callback, "state" | "attempts" | "lastError" | "deliveredAt">;

export class ReviewWorkflow extends WorkflowEntrypoint<Env, ReviewParams> {
  override async run(event: Readonly<WorkflowEvent<ReviewParams>>, step: WorkflowStep) {
    const settings = readSettings(this.env);
    const { taskId } = event.payload;

    // The gate started this instance because the review ended; it says how.
    const settlement = await step.do(STEPS.settleReview, STORE, () => settleAtGate(this.env, taskId));
    if (settlement.outcome === "unknown") throw new NonRetryableError(`No decision gate was opened for ${taskId}`);
    // Kept as JSON text: step outputs must be serializable, and client metadata is any JSON.
    const stored = await step.do(STEPS.loadRecord, STORE, async () => {
      const found = await getTaskRecord(this.env.TASKS, taskId);
      // The upload wrote it before the gate could end the review; a read that misses it is KV lagging, so retry.
      if (!found) throw new Error(`The record of ${taskId} cannot be read yet`);
      return JSON.stringify(found);
    });
    let record = TaskRecordSchema.parse(JSON.parse(stored));
    const decided: Partial<Task> =
      settlement.outcome === "decided"
        ? { status: statusAfter(settlement.decision), decision: settlement.decision }
        : { status: "expired" };
    record = await this.save(step, STEPS.recordDecision, record, decided, () => dequeuePending(this.env.TASKS, record));

    if (record.task.status === "approved") record = await this.tagApproved(step, record, settings);
    if (record.task.callback.url !== null) record = await this.callBack(step, record, record.task.callback.url, settings);
    return { status: record.task.status, callback: record.task.callback.state };
  }

  /** Tags (and, with CAPTION_MODEL, captions) an approved image: completed with its tags, or failed. */
  private async tagApproved(step: WorkflowStep, record: TaskRecord, settings: Settings): Promise<TaskRecord> {
    const taskId = record.task.taskId;
    let tags: Tag[] | null = null;
    try {
      tags = await step.do(STEPS.tagImage, TAG, async () => tagImage(this.env.AI, settings, await readImageBytes(this.env.IMAGES, taskId)));
    } catch (error) {
      console.error(JSON.stringify({ event: "tagging_failed", taskId, error: String(error) }));
    }
    const captionModel = settings.tagger === "workers-ai" ? settings.captionModel : null;
    let caption: string | null = null;
    if (tags && captionModel) {
      try {
        caption = await step.do(STEPS.captionImage, TAG, async () =>
          captionImage(this.env.AI, captionModel, await readImageBytes(this.env.IMAGES, taskId)),
        );
      } catch (error) {
        // A caption is a nicety: without one the task still completes with its tags.
        console.warn(JSON.stringify({ event: "caption_failed", taskId, error: String(error) }));
      }
    }
    return this.save(step, STEPS.recordTags, record, tags ? { status: "completed", tags, caption } : { status: "failed" });
  }

  /** Delivers the final event to the client's callback URL with retries, and records how it went. */
  private async callBack(step: WorkflowStep, record: TaskRecord, url: string, settings: Settings): Promise<TaskRecord> {
    const message = await step.do(STEPS.prepareCallback, async () => {
      const check = checkCallbackUrl(url, { allowLoopback: settings.allowLoopbackCallbacks });
      return check.ok ? buildCallbackMessage(record.task, new Date()) : { refused: check.reason };
    });

    let outcome: CallbackOutcome;
    if ("refused" in message) {
      // Settings can change between upload and delivery; the URL is never called if it no longer passes.
      outcome = { state: "failed", attempts: 0, lastError: message.refused, deliveredAt: null };
    } else {
      try {
        outcome = await step.do(STEPS.deliverCallback, CALLBACK, async (ctx) => {
          const result = await deliverCallback(url, settings.callbackSecret, message);
          if (result.ok) return { state: "delivered" as const, attempts: ctx.attempt, lastError: null, deliveredAt: new Date().toISOString() };
          await this.recordFailedAttempt(record, ctx.attempt, result.error);
          throw new Error(result.error);
        });
      } catch (error) {
        outcome = { state: "failed", attempts: CALLBACK_ATTEMPTS, lastError: error instanceof Error ? error.message : String(error), deliveredAt: null };
      }
    }
    return this.save(step, STEPS.recordCallback, record, { callback: { ...record.task.callback, ...outcome } });
  }

  /**
   * Writes the record with `change` applied inside a step. The step returns only its timestamp, so a replay
   * rebuilds the same record without storing the whole record as step output.
   */
  private async save(
    step: WorkflowStep,
    name: string,
    record: TaskRecord,
    change: Partial<Task>,
    after?: () => Promise<void>,
  ): Promise<TaskRecord> {
    const at = await step.do(name, STORE, async () => {
      const now = new Date().toISOString();
      await putTaskRecord(this.env.TASKS, updateTask(record, change, now));
      await after?.();
      return now;
    });
    return updateTask(record, change, at);
  }

  /** Progress for pollers between retries; the step's own outcome is what counts, so a failed write is only logged. */
  private async recordFailedAttempt(record: TaskRecord, attempts: number, lastError: string): Promise<void> {
    const next = updateTask(record, { callback: { ...record.task.callback, attempts, lastError } }, new Date().toISOString());
    await putTaskRecord(this.env.TASKS, next).catch((error) =>
      console.warn(JSON.stringify({ event: "callback_progress_not_saved", taskId: record.task.taskId, error: String(error) })),
    );
  }
}
