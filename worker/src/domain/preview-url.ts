// Signed, expiring image URLs that Slack and n8n can fetch without credentials.

// A key derived for this one purpose, so a preview signature can never double as a decision token.
async function previewKey(secret: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: new TextEncoder().encode("greenlight preview-url v1") },
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

const payload = (taskId: string, expires: number) => new TextEncoder().encode(`${taskId}.${expires}`);

const toBase64Url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=");
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export async function signPreviewUrl(secret: string, origin: string, taskId: string, expires: Date): Promise<string> {
  const seconds = Math.floor(expires.getTime() / 1000);
  const signature = await crypto.subtle.sign("HMAC", await previewKey(secret), payload(taskId, seconds));
  const url = new URL(`/v1/images/${taskId}`, origin);
  url.searchParams.set("expires", String(seconds));
  url.searchParams.set("sig", toBase64Url(signature));
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
  const signature = fromBase64Url(sig);
  if (!signature) return false;
  return crypto.subtle.verify("HMAC", await previewKey(secret), signature, payload(taskId, seconds));
}
