// Outbound HTTP for an image named by URL (the MCP server's request_review): one GET, no redirects, a hard timeout,
// the body counted as it arrives. The caller has checked the URL against the SSRF rules.
import { SUPPORTED_CONTENT_TYPES } from "../domain/image-probe.ts";

export const IMAGE_FETCH_TIMEOUT_MS = 10_000;

export type FetchedImage = { ok: true; bytes: Uint8Array } | { ok: false; tooLarge: true } | { ok: false; tooLarge: false; reason: string };

/** The body of `url`, at most `maxBytes`: a declared Content-Length over it is refused unread, any other at the first byte over. */
export async function fetchImage(url: URL, maxBytes: number): Promise<FetchedImage> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: SUPPORTED_CONTENT_TYPES.join(", "), "user-agent": "Greenlight-Image-Fetch/1" },
      // A redirect could point anywhere, including past the rules the URL was checked against.
      redirect: "manual",
      // Covers the body too: a server that trickles its bytes is cut off as one that never answers.
      signal: AbortSignal.timeout(IMAGE_FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    return failed(describeFailure(error));
  }
  if (!response.ok) {
    await response.body?.cancel();
    const redirect = response.status >= 300 && response.status < 400 ? "; redirects are not followed" : "";
    return failed(`it answered HTTP ${response.status}${redirect}`);
  }
  if (!response.body) return { ok: true, bytes: new Uint8Array() };
  if (Number(response.headers.get("content-length")) > maxBytes) {
    await response.body.cancel();
    return { ok: false, tooLarge: true };
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
        return { ok: false, tooLarge: true };
      }
      chunks.push(value);
    }
  } catch (error) {
    return failed(describeFailure(error));
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

const failed = (reason: string): FetchedImage => ({ ok: false, tooLarge: false, reason });

function describeFailure(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") return `no complete answer within ${IMAGE_FETCH_TIMEOUT_MS / 1000} seconds`;
  return `network error: ${error instanceof Error ? error.message : String(error)}`;
}
