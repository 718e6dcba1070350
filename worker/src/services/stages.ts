// Reminders and escalations as their deliverers see them: handing out due stages with a lease, and confirming delivery.
import { confirmStageAtGate, leaseStageAtGate } from "../adapters/decision-gate.ts";
import { listDueStages, unindexDueStage } from "../adapters/task-store.ts";
import type { DueStage } from "../domain/due-stage.ts";
import { type Stage, stageFields } from "../domain/stages.ts";
import { leaseFromIndex } from "./index-lease.ts";

/**
 * Hands out up to `limit` due, unconfirmed stages, oldest first, each to exactly one caller until its lease runs out
 * (the task's gate decides). It reads only the due index, which confirmed and closed stages leave.
 */
export async function dueStages(env: Env, limit: number, leaseMs: number, now: number): Promise<DueStage[]> {
  return leaseFromIndex(
    env,
    (pageSize, cursor) => listDueStages(env, pageSize, cursor),
    async (entry) => {
      const lease = await leaseStageAtGate(env, entry.taskId, entry.stage, now, leaseMs);
      return lease.outcome === "leased" ? { outcome: "leased", value: dueItem(entry.taskId, lease.stage, lease.announcement) } : lease;
    },
    limit,
  );
}

const dueItem = (taskId: string, stage: Stage, announcement: DueStage["announcement"]): DueStage => ({
  taskId,
  ...stageFields(stage),
  announcement,
});

/** Marks a due stage delivered: it is never handed out again. */
export async function confirmStage(env: Env, taskId: string, stage: string, now: number): Promise<"confirmed" | "not_due" | "not_found"> {
  const confirmation = await confirmStageAtGate(env, taskId, stage, now);
  if (confirmation.outcome === "confirmed") await unindexDueStage(env, taskId, confirmation.stage);
  return confirmation.outcome;
}
