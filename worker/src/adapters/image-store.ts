// R2 (IMAGES): the uploaded image bytes, one object per task.
import type { ImageFacts } from "../domain/task.ts";

const imageKey = (taskId: string) => `images/${taskId}`;

export async function putImage(env: Pick<Env, "IMAGES">, taskId: string, bytes: Uint8Array, image: ImageFacts): Promise<void> {
  await env.IMAGES.put(imageKey(taskId), bytes, {
    httpMetadata: { contentType: image.contentType },
    sha256: image.sha256,
  });
}

export async function getImage(env: Pick<Env, "IMAGES">, taskId: string): Promise<R2ObjectBody | null> {
  return env.IMAGES.get(imageKey(taskId));
}

export async function readImageBytes(env: Pick<Env, "IMAGES">, taskId: string): Promise<Uint8Array> {
  const object = await getImage(env, taskId);
  if (!object) throw new Error(`The image of ${taskId} is missing from R2`);
  return new Uint8Array(await object.arrayBuffer());
}

export async function deleteImage(env: Pick<Env, "IMAGES">, taskId: string): Promise<void> {
  await env.IMAGES.delete(imageKey(taskId));
}
