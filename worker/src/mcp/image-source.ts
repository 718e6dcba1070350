// The bytes of the image a request_review call names: sent inline as base64, or fetched from a URL under the rules
// Greenlight keeps for every URL it calls (the callback SSRF rules), within the upload limit and a timeout.
import { z } from "zod";
import type { Settings } from "../config.ts";
import { checkCallbackUrl } from "../domain/callback-url.ts";
import { SUPPORTED_CONTENT_TYPES } from "../domain/image-probe.ts";
import { AppError, invalidRequest } from "../errors.ts";
import { payloadTooLarge } from "../middleware/upload-limit.ts";

const IMAGE_FETCH_TIMEOUT_MS = 10_000;

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

const fetchFailed = (why: string) => new AppError(422, "image_fetch_failed", `The image URL could not be fetched: ${why}.`);

/** The image's bytes, at most the upload limit; the caller judges what they are, as it does an upload's. */
export async function imageBytes(image: ImageInput, settings: Settings): Promise<Uint8Array> {
  const bytes = "base64" in image ? decodeBase64(image.base64) : await fetchImage(image.url, settings);
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

async function fetchImage(raw: string, settings: Settings): Promise<Uint8Array> {
  const check = checkCallbackUrl(raw, { allowLoopback: settings.allowLoopbackCallbacks }, "image.url");
  if (!check.ok) throw new AppError(422, "invalid_image_url", check.reason);
  let response: Response;
  try {
    response = await fetch(check.url, {
      headers: { accept: SUPPORTED_CONTENT_TYPES.join(", "), "user-agent": "Greenlight-Image-Fetch/1" },
      // A redirect could point anywhere, including past the rules the URL was checked against.
      redirect: "manual",
      // Covers the body too: a server that trickles its bytes is cut off as one that never answers.
      signal: AbortSignal.timeout(IMAGE_FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw fetchFailed(describeFailure(error));
  }
  if (!response.ok) {
    await response.body?.cancel();
    const redirect = response.status >= 300 && response.status < 400 ? "; redirects are not followed" : "";
    throw fetchFailed(`it answered HTTP ${response.status}${redirect}`);
  }
  return readWithin(response, settings.maxUploadBytes);
}

/** The body, counted as it arrives: a declared Content-Length over `maxBytes` is refused unread, any other at the first byte over. */
async function readWithin(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array();
  if (Number(response.headers.get("content-length")) > maxBytes) {
    await response.body.cancel();
    throw payloadTooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw payloadTooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw fetchFailed(describeFailure(error));
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function describeFailure(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") return `no complete answer within ${IMAGE_FETCH_TIMEOUT_MS / 1000} seconds`;
  return `network error: ${error instanceof Error ? error.message : String(error)}`;
}
