// The REVIEW_WORKFLOW binding: one instance per task, started by its gate once the review has ended.
export type ReviewParams = { taskId: string };

/** Starts the task's instance; one that already exists (an earlier start whose answer was lost) counts as started. */
export async function startReview(workflow: Workflow<ReviewParams>, taskId: string): Promise<void> {
  try {
    await workflow.create({ id: taskId, params: { taskId } });
  } catch (error) {
    if (await instanceExists(workflow, taskId)) return;
    throw error;
  }
}

async function instanceExists(workflow: Workflow<ReviewParams>, id: string): Promise<boolean> {
  try {
    await workflow.get(id);
    return true;
  } catch {
    return false;
  }
}
