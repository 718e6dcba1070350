// Rules for an upload's fields: metadata, idempotency keys and the fingerprint that makes a replay.
import { z } from "zod";
import { sha256Hex } from "./digest.ts";
import type { ReviewPolicyInput } from "./policy.ts";
import { type Metadata, MetadataSchema } from "./task.ts";

export const MAX_METADATA_BYTES = 8 * 1024;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
// Multipart framing and the small text fields ride on top of the image's own limit.
export const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

export type MetadataResult = { ok: true; metadata: Metadata } | { ok: false; reason: string };

export function parseMetadata(text: string | undefined): MetadataResult {
  if (text === undefined || text === "") return { ok: true, metadata: {} };
  if (new TextEncoder().encode(text).byteLength > MAX_METADATA_BYTES) {
    return { ok: false, reason: "metadata must be at most 8 KiB of JSON." };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "metadata must be valid JSON." };
  }
  const parsed = MetadataSchema.safeParse(value);
  if (!parsed.success || Array.isArray(value)) return { ok: false, reason: "metadata must be a JSON object." };
  return { ok: true, metadata: parsed.data };
}

// A blank key would otherwise be one key that every blank-keyed upload of a client shares.
export const IdempotencyKeySchema = z
  .string()
  .max(MAX_IDEMPOTENCY_KEY_LENGTH)
  .regex(/\S/, "Idempotency-Key must not be empty or only whitespace.");

/**
 * Same bytes and same fields give the same fingerprint; anything else is a different request. A policy is part of it
 * only when the upload gave one, so uploads without one keep the fingerprints their ledger entries already hold.
 */
export function uploadFingerprint(input: {
  sha256: string;
  contentType: string;
  callbackUrl: string | null;
  metadata: Metadata;
  policy?: ReviewPolicyInput | undefined;
}): Promise<string> {
  const fields = [input.sha256, input.contentType, input.callbackUrl, input.metadata];
  return sha256Hex(JSON.stringify(input.policy ? [...fields, input.policy] : fields));
}
