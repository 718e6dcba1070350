// Signed, expiring image URLs that Slack and n8n can fetch without credentials.
import { base64url } from "jose";
import { derivedHmacKey } from "./signing-keys.ts";

// A key for this one purpose, so a preview signature can never double as a decision token.
const previewKey = (secret: string) => derivedHmacKey(secret, "greenlight preview-url v1");

const payload = (taskId: string, expires: number) => new TextEncoder().encode(`${taskId}.${expires}`);

export async function signPreviewUrl(secret: string, origin: string, taskId: string, expires: Date): Promise<string> {
  const seconds = Math.floor(expires.getTime() / 1000);
  const signature = await crypto.subtle.sign("HMAC", await previewKey(secret), payload(taskId, seconds));
  const url = new URL(`/v1/images/${taskId}`, origin);
  url.searchParams.set("expires", String(seconds));
  url.searchParams.set("sig", base64url.encode(new Uint8Array(signature)));
  return url.toString();
}

/** True only for an unexpired URL whose signature matches; compared in constant time by Web Crypto. */
export async function verifyPreviewSignature(
  secret: string,
  taskId: string,
  expires: string | undefined,
  sig: string | undefined,
  now: Date,
): Promise<boolean> {
  if (!expires || !/^\d{1,12}$/.test(expires) || !sig) return false;
  const seconds = Number(expires);
  if (seconds * 1000 <= now.getTime()) return false;
  // 32 bytes of HMAC-SHA-256 are 43 base64url characters; jose's decoder takes padding and spaces too, so only these pass.
  if (!/^[A-Za-z0-9_-]{43}$/.test(sig)) return false;
  return crypto.subtle.verify("HMAC", await previewKey(secret), base64url.decode(sig), payload(taskId, seconds));
}
