// A task's image bytes, for its own client and for the signed preview links reviewers follow.
import { getImage } from "../adapters/image-store.ts";
import { verifyPreviewSignature } from "../domain/preview-url.ts";
import { findOwnTask } from "./own-task.ts";

export type TaskImage = { body: ReadableStream; contentType: string };

/** The client's own task's image; null when there is no such task, another client owns it, or its image is gone. */
export async function ownTaskImage(env: Env, clientId: string, taskId: string): Promise<TaskImage | null> {
  const record = await findOwnTask(env, clientId, taskId);
  const object = record && (await getImage(env, taskId));
  return object ? { body: object.body, contentType: record.task.image.contentType } : null;
}

/** The image behind a preview link; null unless the link is signed, unexpired and its image still there. */
export async function previewImage(
  env: Env,
  secret: string,
  link: { taskId: string; expires?: string; sig?: string },
  now: Date,
): Promise<TaskImage | null> {
  if (!(await verifyPreviewSignature(secret, link.taskId, link.expires, link.sig, now))) return null;
  const object = await getImage(env, link.taskId);
  return object ? { body: object.body, contentType: object.httpMetadata?.contentType ?? "application/octet-stream" } : null;
}
