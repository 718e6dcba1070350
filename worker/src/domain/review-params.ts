// What the review workflow is started with: the task whose review has ended.
export type ReviewParams = { taskId: string };
