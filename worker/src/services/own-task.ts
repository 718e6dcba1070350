// A client's own task: the one way client endpoints look a task up by id.
import { getTaskRecord } from "../adapters/task-store.ts";
import { TASK_ID_PATTERN, type TaskRecord } from "../domain/task.ts";

/** The record, or null when there is no such task or another client owns it: both answer alike, so ids cannot be probed. */
export async function findOwnTask(env: Env, clientId: string, taskId: string): Promise<TaskRecord | null> {
  const record = TASK_ID_PATTERN.test(taskId) ? await getTaskRecord(env, taskId) : null;
  return record?.clientId === clientId ? record : null;
}
