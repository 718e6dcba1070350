// One instance per task, started by its gate once the review has ended: record the outcome, tag approved images, sign
// the final state's receipt, call the client back. Nothing here waits for a human.
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";
import { readSettings, type Settings } from "../config.ts";
import { callbackAfterAttempt, DELIVERY_SCHEDULE } from "../domain/delivery-schedule.ts";
import type { ReviewParams } from "../domain/review-params.ts";
import { FINAL_STATUSES, type Tag, type Task, type TaskRecord, TaskRecordSchema, updateTask } from "../domain/task.ts";
import { attemptDelivery } from "../services/deliver-callback.ts";
import { signTaskReceipt } from "../services/receipts.ts";
import {
  captionApprovedImage,
  decisionChange,
  loadTaskRecord,
  type RecordWrite,
  recordCallbackAttempt,
  recordDecisionOutcome,
  recordTaskChange,
  settleReview,
  tagApprovedImage,
} from "../services/review-outcome.ts";

// Step names are replay keys and test handles: stable phrases, never ids or counters.
export const STEPS = {
  settleReview: "settle review",
  loadRecord: "load record",
  recordDecision: "record decision",
  signReceipt: "sign receipt",
  tagImage: "tag image",
  captionImage: "caption image",
  recordTags: "record tags",
  waitForAttempt: "wait for next callback attempt",
  deliverCallback: "deliver callback",
  recordAttempt: "record callback attempt",
} as const;

// KV allows one write per second per key, so a record write that collides retries after a pause.
const STORE: WorkflowStepConfig = { retries: { limit: 5, delay: "1 second", backoff: "exponential" }, timeout: "30 seconds" };
// A tagger that is down, busy or slow is waited out for hours (30 s, 1 min, 2 min ... 2 h 8 min: 4 h 15 min in all)
// before the task is failed; an image it can never read throws NonRetryableError and fails at once.
const TAGGING: WorkflowStepConfig = { retries: { limit: 9, delay: "30 seconds", backoff: "exponential" }, timeout: "2 minutes" };
// A caption is a nicety, and never worth holding the task back for.
const CAPTION: WorkflowStepConfig = { retries: { limit: 3, delay: "10 seconds", backoff: "exponential" }, timeout: "2 minutes" };
// Signing is local work that fails only for a key whose public half refuses its signatures: an operator must fix the
// setting, and the gate runs the errored instance again later.
const SIGN: WorkflowStepConfig = { retries: { limit: 3, delay: "10 seconds", backoff: "exponential" }, timeout: "30 seconds" };
// An attempt returns the receiver's failures as its result, so a throw is a fault on our side (the step timed out, the
// instance was evicted): try again soon, a couple of times. The POST itself gives up after 10 s.
const ATTEMPT: WorkflowStepConfig = { retries: { limit: 2, delay: "5 seconds", backoff: "constant" }, timeout: "30 seconds" };

export class ReviewWorkflow extends WorkflowEntrypoint<Env, ReviewParams> {
  override async run(event: Readonly<WorkflowEvent<ReviewParams>>, step: WorkflowStep) {
    const settings = readSettings(this.env);
    const { taskId } = event.payload;

    // The gate started this instance because the review ended; it says how.
    const settlement = await step.do(STEPS.settleReview, STORE, () => settleReview(this.env, taskId));
    if (settlement.outcome === "unknown") throw new NonRetryableError(`No decision gate was opened for ${taskId}`);
    // Kept as JSON text: step outputs must be serializable, and client metadata is any JSON.
    const stored = await step.do(STEPS.loadRecord, STORE, async () => JSON.stringify(await loadTaskRecord(this.env, taskId)));
    let record = TaskRecordSchema.parse(JSON.parse(stored));
    const decided = await this.withReceipt(step, record, decisionChange(record, settlement), settings);
    record = await this.save(step, STEPS.recordDecision, record, decided, recordDecisionOutcome);

    if (record.task.status === "approved") record = await this.tagApproved(step, record, settings);
    if (record.task.callback.url !== null) record = await this.callBack(step, record, record.task.callback.url, settings);
    return { status: record.task.status, callback: record.task.callback.state };
  }

  /** Tags (and, with CAPTION_MODEL, captions) an approved image: completed with its tags, or failed. */
  private async tagApproved(step: WorkflowStep, record: TaskRecord, settings: Settings): Promise<TaskRecord> {
    const taskId = record.task.taskId;
    let tags: Tag[] | null = null;
    try {
      tags = await step.do(STEPS.tagImage, TAGGING, () => tagApprovedImage(this.env, settings, taskId));
    } catch (error) {
      console.error(JSON.stringify({ event: "tagging_failed", taskId, error: String(error) }));
    }
    const captionModel = settings.tagger === "workers-ai" ? settings.captionModel : null;
    let caption: string | null = null;
    if (tags && captionModel) {
      try {
        caption = await step.do(STEPS.captionImage, CAPTION, () => captionApprovedImage(this.env, captionModel, taskId));
      } catch (error) {
        // A caption is a nicety: without one the task still completes with its tags.
        console.warn(JSON.stringify({ event: "caption_failed", taskId, error: String(error) }));
      }
    }
    const tagged: Partial<Task> = tags ? { status: "completed", tags, caption } : { status: "failed" };
    return this.save(step, STEPS.recordTags, record, await this.withReceipt(step, record, tagged, settings));
  }

  /**
   * A change that makes the task final carries its receipt, so the final status and the receipt land in one write and
   * the callback carries it. It is signed in a step of its own: a replay, or a retry of the write, records the very
   * receipt the first run signed.
   */
  private async withReceipt(step: WorkflowStep, record: TaskRecord, change: Partial<Task>, settings: Settings): Promise<Partial<Task>> {
    const task = { ...record.task, ...change };
    if (!FINAL_STATUSES.has(task.status)) return change;
    const receipt = await step.do(STEPS.signReceipt, SIGN, () => signTaskReceipt(settings, task));
    return { ...change, receipt };
  }

  /**
   * Delivers the final event on DELIVERY_SCHEDULE until it is delivered, the receiver answers 410, the URL no longer
   * passes the SSRF rules, or the schedule runs out. Each attempt is a step of its own that builds and signs the
   * message when it runs, so it carries its own timestamp and the task as it then stands; a record step then writes
   * the task and the delivery log. The waits are step.sleep between steps rather than retry delays inside one step:
   * each attempt's outcome is kept as a step result, the writes get their own retries, and a 410 just ends the loop.
   */
  private async callBack(step: WorkflowStep, record: TaskRecord, url: string, settings: Settings): Promise<TaskRecord> {
    for (const [index, wait] of DELIVERY_SCHEDULE.entries()) {
      if (record.task.callback.state !== "pending") break;
      if (wait > 0) await step.sleep(STEPS.waitForAttempt, wait);
      const task = record.task;
      const attempt = await step.do(STEPS.deliverCallback, ATTEMPT, () => attemptDelivery(settings, task, url, "schedule", index + 1));
      const change = { callback: callbackAfterAttempt(task.callback, attempt) };
      record = await this.save(step, STEPS.recordAttempt, record, change, recordCallbackAttempt(attempt));
    }
    return record;
  }

  /**
   * Writes `change` to the record inside a step, with `write` (the record and whatever goes with it). The step returns
   * only its timestamp, so a replay rebuilds the same record without storing the whole record as step output.
   */
  private async save(
    step: WorkflowStep,
    name: string,
    record: TaskRecord,
    change: Partial<Task>,
    write: RecordWrite = recordTaskChange,
  ): Promise<TaskRecord> {
    const at = await step.do(name, STORE, async () => {
      const now = new Date().toISOString();
      await write(this.env, record, change, now);
      return now;
    });
    return updateTask(record, change, at);
  }
}
