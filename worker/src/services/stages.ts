// Reminders and escalations as their deliverers see them: handing out due stages with a lease, and confirming delivery.
import { confirmStageAtGate, leaseStageAtGate } from "../adapters/decision-gate.ts";
import { dropIndexEntries, listDueStages, unindexDueStage } from "../adapters/task-store.ts";
import type { DueStage } from "../domain/due-stage.ts";
import { publicStage, type Stage } from "../domain/stages.ts";

// KV lists at most 1,000 keys a call; a smaller page keeps each round of lease calls short.
const SCAN_PAGE = 100;

/**
 * Hands out up to `limit` due, unconfirmed stages, oldest first, each to exactly one caller until its lease runs out
 * (the task's gate decides). It reads only the due index, which confirmed and closed stages leave, so its cost follows
 * `limit` and the stages still in their lease, not the backlog.
 */
export async function dueStages(env: Env, limit: number, leaseMs: number, now: number): Promise<DueStage[]> {
  const handed: DueStage[] = [];
  let cursor: string | undefined;
  do {
    const page = await listDueStages(env, SCAN_PAGE, cursor);
    const candidates = [...page.entries];
    while (candidates.length > 0 && handed.length < limit) {
      const batch = candidates.splice(0, limit - handed.length);
      const leases = await Promise.all(batch.map((entry) => leaseStageAtGate(env, entry.taskId, entry.stage, now, leaseMs)));
      // A stage whose gate will never lease it again (confirmed, or its review is over) leaves the index for good.
      await dropIndexEntries(
        env,
        batch.filter((_, index) => leases[index]?.outcome === "closed"),
      );
      batch.forEach((entry, index) => {
        const lease = leases[index];
        if (lease?.outcome === "leased") handed.push(dueItem(entry.taskId, lease.stage, lease.announcement));
      });
    }
    cursor = page.cursor ?? undefined;
  } while (cursor && handed.length < limit);
  return handed;
}

const dueItem = (taskId: string, stage: Stage, announcement: DueStage["announcement"]): DueStage => {
  const { confirmedAt: _, ...fields } = publicStage(stage);
  return { taskId, ...fields, announcement };
};

/** Marks a due stage delivered: it is never handed out again. */
export async function confirmStage(env: Env, taskId: string, stage: string, now: number): Promise<"confirmed" | "not_due" | "not_found"> {
  const confirmation = await confirmStageAtGate(env, taskId, stage, now);
  if (confirmation.outcome === "confirmed") await unindexDueStage(env, taskId, confirmation.stage);
  return confirmation.outcome;
}
