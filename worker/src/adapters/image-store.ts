// R2 (IMAGES): the uploaded image bytes, one object per task.
import type { ImageFacts } from "../domain/task.ts";

const imageKey = (taskId: string) => `images/${taskId}`;

export async function putImage(bucket: R2Bucket, taskId: string, bytes: Uint8Array, image: ImageFacts): Promise<void> {
  await bucket.put(imageKey(taskId), bytes, {
    httpMetadata: { contentType: image.contentType },
    sha256: image.sha256,
  });
}

export async function getImage(bucket: R2Bucket, taskId: string): Promise<R2ObjectBody | null> {
  return bucket.get(imageKey(taskId));
}

export async function readImageBytes(bucket: R2Bucket, taskId: string): Promise<Uint8Array> {
  const object = await getImage(bucket, taskId);
  if (!object) throw new Error(`The image of ${taskId} is missing from R2`);
  return new Uint8Array(await object.arrayBuffer());
}

export async function deleteImage(bucket: R2Bucket, taskId: string): Promise<void> {
  await bucket.delete(imageKey(taskId));
}
