// HMAC keys derived from one secret for one purpose each.

const encoder = new TextEncoder();

/** An HMAC-SHA-256 key for `purpose` alone: a signature made for one purpose never verifies for another. */
export async function derivedHmacKey(secret: string, purpose: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: encoder.encode(purpose) },
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}
