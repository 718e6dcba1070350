// The bytes of the image a request_review call names: sent inline as base64, or fetched from a URL under the rules
// Greenlight keeps for every URL it calls (the callback SSRF rules), within the upload limit and a timeout.
import { z } from "zod";
import { fetchImage } from "../adapters/image-url.ts";
import type { Settings } from "../config.ts";
import { checkCallbackUrl } from "../domain/callback-url.ts";
import { SUPPORTED_CONTENT_TYPES } from "../domain/image-probe.ts";
import { AppError, invalidRequest } from "../errors.ts";
import { payloadTooLarge } from "../middleware/upload-limit.ts";

export const ImageInputSchema = z.union([
  z.strictObject({
    base64: z.string().meta({ description: "The image file's bytes in standard base64, without a data: prefix." }),
    contentType: z
      .enum(SUPPORTED_CONTENT_TYPES)
      .optional()
      .meta({ description: "Optional: the bytes themselves decide whether this is a PNG, JPEG, GIF or WebP." }),
  }),
  z.strictObject({
    url: z.string().meta({
      description:
        "An https URL on a public host; Greenlight fetches it once, without following redirects, within 10 seconds and the upload size limit.",
    }),
  }),
]);
export type ImageInput = z.infer<typeof ImageInputSchema>;

/** The image's bytes, at most the upload limit; the caller judges what they are, as it does an upload's. */
export async function imageBytes(image: ImageInput, settings: Settings): Promise<Uint8Array> {
  const bytes = "base64" in image ? decodeBase64(image.base64) : await fetchImageUrl(image.url, settings);
  if (bytes.byteLength === 0) throw invalidRequest("The image is empty.");
  if (bytes.byteLength > settings.maxUploadBytes) throw payloadTooLarge(settings.maxUploadBytes);
  return bytes;
}

function decodeBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw invalidRequest("image.base64 is not valid base64.");
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function fetchImageUrl(raw: string, settings: Settings): Promise<Uint8Array> {
  const check = checkCallbackUrl(raw, { allowLoopback: settings.allowLoopbackCallbacks }, "image.url");
  if (!check.ok) throw new AppError(422, "invalid_image_url", check.reason);
  const fetched = await fetchImage(check.url, settings.maxUploadBytes);
  if (fetched.ok) return fetched.bytes;
  if (fetched.tooLarge) throw payloadTooLarge(settings.maxUploadBytes);
  throw new AppError(422, "image_fetch_failed", `The image URL could not be fetched: ${fetched.reason}.`);
}
