// A client's own task as the MCP tools show it, and a bounded wait for its review to end.
import type { Task } from "../domain/task.ts";
import { findOwnTask } from "../services/own-task.ts";
import { reviewTask } from "../services/reviews.ts";
import { followTask } from "../services/task-events.ts";

/**
 * The task, with its status and decision from its gate: the gate knows the moment a review ends, while the record
 * says so only once the task's workflow has written it, a few seconds later. Null when there is no such task or
 * another client owns it, as GET /v1/tasks/:id answers 404 for both.
 */
export async function currentTask(env: Env, clientId: string, taskId: string): Promise<Task | null> {
  // findOwnTask judges the id and the owner before any gate is asked.
  return (await findOwnTask(env, clientId, taskId)) ? taskAtGate(env, taskId) : null;
}

/**
 * The task as soon as its review has ended, or as it stands after `timeoutMs`; null as currentTask. The wait follows
 * the task's own events, so it wakes the moment the decision is recorded and reads nothing while it waits.
 */
export async function waitForDecision(env: Env, clientId: string, taskId: string, timeoutMs: number): Promise<Task | null> {
  const record = await findOwnTask(env, clientId, taskId);
  if (!record) return null;
  const before = await taskAtGate(env, taskId);
  if (before?.status !== "pending") return before;
  for await (const event of followTask(env, record.task, null, AbortSignal.timeout(timeoutMs))) {
    if (event.type === "deleted") return null;
    if (event.task && event.task.status !== "pending") return event.task;
  }
  return taskAtGate(env, taskId);
}

/** Null once the task is gone: deleted while someone waited. */
async function taskAtGate(env: Env, taskId: string): Promise<Task | null> {
  const found = await reviewTask(env, taskId, Date.now());
  if (!found) return null;
  const { record, review } = found;
  return { ...record.task, status: review.status, decision: record.task.decision ?? review.decision };
}
