// Reading a decision receipt: its EdDSA signature checked against Greenlight's published keys, then its payload, typed.
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { components } from "./schema.d.ts";

/** What a receipt says: the task, its image's hash, the decision and who took it, the policy, the tags. */
export type Receipt = components["schemas"]["Receipt"];
/** What GET /.well-known/jwks.json answers. */
export type ReceiptKeySet = components["schemas"]["ReceiptKeySet"];

const RECEIPT_TYPE = "greenlight-receipt+jwt";

/** The receipt is not one Greenlight signed as it reads: changed, cut, signed with an unknown key, or no receipt at all. */
export class ReceiptVerificationError extends Error {
  override readonly name = "ReceiptVerificationError";
}

// What jose says about the receipt itself, as opposed to a key set it could not fetch or read.
const RECEIPT_FAULTS = [
  errors.JWSInvalid,
  errors.JWTInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JWTClaimValidationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JWKSNoMatchingKey,
];

// One key set per URL for the life of the process: jose keeps what it fetched for 10 minutes, and fetches it again for a
// kid it does not know (at most every 30 s), so receipts signed with a key added since verify soon after.
const remoteKeySets = new Map<string, JWTVerifyGetKey>();

function keySet(keys: JSONWebKeySet | URL | string): JWTVerifyGetKey {
  if (typeof keys !== "string" && !(keys instanceof URL)) return createLocalJWKSet(keys);
  const url = new URL(keys);
  const known = remoteKeySets.get(url.href);
  if (known) return known;
  const remote = createRemoteJWKSet(url);
  remoteKeySets.set(url.href, remote);
  return remote;
}

/**
 * Verifies a task's `receipt` (a compact JWS) with Greenlight's public keys, given as the key set itself or as the URL
 * of `GET /.well-known/jwks.json`, and returns what it says. Throws ReceiptVerificationError for a receipt that does
 * not verify; a key set that cannot be fetched throws what the fetch threw.
 */
export async function verifyReceipt(receipt: string, keys: ReceiptKeySet | JSONWebKeySet | URL | string): Promise<Receipt> {
  try {
    const { payload } = await jwtVerify<Receipt>(receipt, keySet(keys), {
      algorithms: ["EdDSA"],
      typ: RECEIPT_TYPE,
      issuer: "greenlight",
      requiredClaims: ["sub", "jti", "iat"],
    });
    return payload;
  } catch (error) {
    if (RECEIPT_FAULTS.some((fault) => error instanceof fault)) {
      throw new ReceiptVerificationError(`The receipt does not verify: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}
