// Turns stored tasks into the ReviewItems that reviewer tooling lists and claims.
import { reviewAtGate } from "../adapters/decision-gate.ts";
import { DEFAULT_POLICY } from "../domain/policy.ts";
import { signPreviewUrl } from "../domain/preview-url.ts";
import type { ReviewItem } from "../domain/review.ts";
import { stageFields, stagesDueBy } from "../domain/stages.ts";
import type { TaskRecord } from "../domain/task.ts";
import type { Settings } from "../config.ts";

// Slack and n8n fetch the preview while the review is open; a little slack covers clocks and caches.
const PREVIEW_GRACE_MS = 60 * 60 * 1000;

export async function toReviewItem(env: Env, settings: Settings, origin: string, record: TaskRecord, now: number): Promise<ReviewItem> {
  const { task } = record;
  const policy = task.policy ?? DEFAULT_POLICY;
  const { approvalsRequired } = policy;
  // Under a single-approval policy an approval decides, so a pending task has none; only a quorum asks its gate.
  const approvals = approvalsRequired > 1 ? ((await reviewAtGate(env, task.taskId, now))?.approvals ?? []) : [];
  const expires = new Date(Date.parse(task.reviewDeadline) + PREVIEW_GRACE_MS);
  const { sha256: _, ...image } = task.image;
  return {
    taskId: task.taskId,
    createdAt: task.createdAt,
    reviewDeadline: task.reviewDeadline,
    client: record.clientId,
    metadata: task.metadata,
    image: { ...image, previewUrl: await signPreviewUrl(settings.decisionSecret, origin, task.taskId, expires) },
    prescreen: record.prescreen,
    approvals,
    approvalsRequired,
    // The gate scheduled the stages from the upload's moment too, so this needs no call to it.
    stages: stagesDueBy(policy, Date.parse(task.createdAt), now).map(stageFields),
  };
}
