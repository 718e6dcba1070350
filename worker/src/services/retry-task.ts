// A client's retry of a failed task: its approved image is tagged again and its client called back with the outcome.
import { retryAtGate } from "../adapters/decision-gate.ts";
import { retriedTask, type Task, type TaskStatus, updateTask } from "../domain/task.ts";
import { findOwnTask } from "./own-task.ts";
import { publishRecordChange } from "./task-events.ts";

export type RetryOutcome = { kind: "retried"; task: Task } | { kind: "not_found" } | { kind: "not_failed"; status: TaskStatus };

/**
 * The gate grants the retry (one of several asking at once) and its alarm restarts the workflow, which writes the
 * record: the answer is the task as that first step will write it. A failed task is a decided one whose tagging gave up.
 */
export async function retryTask(env: Env, clientId: string, taskId: string, now: Date): Promise<RetryOutcome> {
  const record = await findOwnTask(env, clientId, taskId);
  if (!record) return { kind: "not_found" };
  const { task } = record;
  const retries = (task.retries ?? 0) + 1;
  // The record can lag a retry granted a moment ago: the gate, which counts retries, refuses a second grant.
  if (task.status !== "failed" || !(await retryAtGate(env, taskId, retries - 1, now.getTime()))) {
    return { kind: "not_failed", status: task.status === "failed" ? "approved" : task.status };
  }
  const retried = updateTask(record, retriedTask(task, retries), now.toISOString());
  // Told now, not when the workflow writes the record, so a client that watches right after its retry sees it.
  await publishRecordChange(env, record, retried, now.toISOString());
  return { kind: "retried", task: retried.task };
}
