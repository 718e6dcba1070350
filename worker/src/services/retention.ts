// Retention: tasks RETENTION past their final state are deleted with everything they left, oldest first.
import { forgetDeletion, getTaskRecord, listDueDeletions } from "../adapters/task-store.ts";
import type { Settings } from "../config.ts";
import { eraseTask } from "./delete-task.ts";

// Each deletion costs about ten subrequests; a batch this size stays far inside a Worker's per-invocation limit,
// and a sweep every few minutes still deletes thousands of tasks a day.
const SWEEP_BATCH = 50;

/** Deletes the due tasks of one batch; answers how many it handled. */
export async function sweepRetention(env: Env, settings: Pick<Settings, "retentionMs">, now: Date): Promise<number> {
  const before = new Date(now.getTime() - settings.retentionMs).toISOString();
  const due = await listDueDeletions(env, before, SWEEP_BATCH);
  for (const entry of due) {
    // A task its client deleted already has no record: only its retention entry is left to go. One tried again
    // since this entry's final state keeps its data until the retry's own entry is due.
    const record = await getTaskRecord(env, entry.taskId);
    if (record && (record.task.retries ?? 0) <= entry.retries) await eraseTask(env, record, now.getTime());
    await forgetDeletion(env, entry);
  }
  return due.length;
}
