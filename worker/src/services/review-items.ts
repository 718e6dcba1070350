// Turns stored tasks into the ReviewItems that reviewer tooling lists and claims.
import { signPreviewUrl } from "../domain/preview-url.ts";
import type { ReviewItem } from "../domain/review.ts";
import type { TaskRecord } from "../domain/task.ts";
import type { Settings } from "../config.ts";

// Slack and n8n fetch the preview while the review is open; a little slack covers clocks and caches.
const PREVIEW_GRACE_MS = 60 * 60 * 1000;

export async function toReviewItem(settings: Settings, origin: string, record: TaskRecord): Promise<ReviewItem> {
  const { task } = record;
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
  };
}
