// Cloudflare Images (IMAGING): decodes untrusted uploads outside the Worker's isolate, within the service's own limits.
import type { Thumbnail } from "../domain/thumbnail.ts";

export type ImageInfo = { contentType: string; width: number; height: number };

const streamOf = (bytes: Uint8Array) => new Blob([bytes]).stream();

/** Format and size as the service's decoder sees them; throws when it cannot read the image. */
export async function inspectImage(env: Pick<Env, "IMAGING">, bytes: Uint8Array): Promise<ImageInfo> {
  const info = await env.IMAGING.info(streamOf(bytes));
  if (!("width" in info)) throw new Error(`${info.format} has no pixel size`);
  return { contentType: info.format, width: info.width, height: info.height };
}

/** The first frame squeezed to `size` (aspect ratio ignored, so each pixel is an equal share), as a PNG. */
export async function thumbnailPng(
  env: Pick<Env, "IMAGING">,
  bytes: Uint8Array,
  size: Pick<Thumbnail, "width" | "height">,
): Promise<Uint8Array> {
  const result = await env.IMAGING.input(streamOf(bytes))
    .transform({ ...size, fit: "squeeze" })
    .output({ format: "image/png" });
  return new Uint8Array(await result.response().arrayBuffer());
}
