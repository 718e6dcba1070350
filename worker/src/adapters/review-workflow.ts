// The REVIEW_WORKFLOW binding: one instance per task, started by its gate once the review has ended.
type WorkflowEnv = Pick<Env, "REVIEW_WORKFLOW">;

/** Starts the task's instance; one that already exists (an earlier start whose answer was lost) counts as started. */
export async function startReview(env: WorkflowEnv, taskId: string): Promise<void> {
  try {
    await env.REVIEW_WORKFLOW.create({ id: taskId, params: { taskId } });
  } catch (error) {
    if (await findInstance(env, taskId)) return;
    throw error;
  }
}

// An event no step waits for: sending it makes a local engine that lost its instance's run in a restart replay it.
const NUDGE = { type: "greenlight-nudge", payload: null };

export type ReviewCare = "ended" | "nudged" | "restarted" | "recreated";

/** Looks after a started instance: ended (complete, or stopped by a deletion), nudged, run again or started again. */
export async function tendReview(env: WorkflowEnv, taskId: string): Promise<ReviewCare> {
  const instance = await findInstance(env, taskId);
  if (!instance) {
    await startReview(env, taskId);
    return "recreated";
  }
  const { status } = await instance.status();
  if (status === "complete" || status === "terminated") return "ended";
  if (status === "errored") {
    await instance.restart();
    return "restarted";
  }
  await instance.sendEvent(NUDGE);
  return "nudged";
}

/**
 * Runs the task's instance again from its first step, whatever state it ended in; one already gone (Cloudflare keeps
 * an ended instance for its retention period, 7 days by default) is started afresh.
 */
export async function restartReview(env: WorkflowEnv, taskId: string): Promise<void> {
  const instance = await findInstance(env, taskId);
  if (!instance) return startReview(env, taskId);
  await instance.restart();
}

/** Stops the task's instance if it is still at work (tagging, calling back); one that has ended or never started is left. */
export async function stopReview(env: WorkflowEnv, taskId: string): Promise<void> {
  const instance = await findInstance(env, taskId);
  if (!instance) return;
  const { status } = await instance.status();
  if (status === "complete" || status === "errored" || status === "terminated") return;
  await instance.terminate();
}

/** The task's instance, or null when there is none: `get` throws for an id it does not know. */
async function findInstance(env: WorkflowEnv, id: string): Promise<WorkflowInstance | null> {
  try {
    return await env.REVIEW_WORKFLOW.get(id);
  } catch {
    return null;
  }
}
