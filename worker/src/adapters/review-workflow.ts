// The REVIEW_WORKFLOW binding: one instance per task, woken by the decision event.
import type { ReviewParams } from "../workflows/review-workflow.ts";

export const DECISION_EVENT = "decision";

/** Starts the task's instance; a replayed upload whose instance already exists changes nothing. */
export async function startReview(workflow: Workflow<ReviewParams>, params: ReviewParams): Promise<void> {
  try {
    await workflow.create({ id: params.record.task.taskId, params });
  } catch (error) {
    if (await instanceExists(workflow, params.record.task.taskId)) return;
    throw error;
  }
}

export async function sendDecisionEvent(workflow: Workflow<ReviewParams>, taskId: string): Promise<void> {
  const instance = await workflow.get(taskId);
  // The payload only wakes the instance; it reads the winning decision from the gate itself.
  await instance.sendEvent({ type: DECISION_EVENT, payload: { taskId } });
}

async function instanceExists(workflow: Workflow<ReviewParams>, id: string): Promise<boolean> {
  try {
    await workflow.get(id);
    return true;
  } catch {
    return false;
  }
}
