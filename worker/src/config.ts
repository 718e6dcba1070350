// Settings read from the Worker's environment once per request, validated so a bad value fails loudly.
import { z } from "zod";
import { MIN_SECRET_BYTES } from "./domain/decision-token.ts";
import { parseDuration } from "./domain/duration.ts";
import { secretList } from "./domain/secure-compare.ts";

// A client's key, or its keys newest first while one is rotated: any of them is that client.
const ClientKeysSchema = z.record(
  z.string().min(1),
  z.union([z.string().min(1).transform((key) => [key]), z.array(z.string().min(1)).min(1)]),
);

// Standard Webhooks, "Signature scheme": a symmetric secret is random, at least 24 bytes, serialized as whsec_ + base64.
const CALLBACK_SECRET_PREFIX = "whsec_";
const MIN_CALLBACK_SECRET_BYTES = 24;

export type Settings = {
  /** Client id -> its keys, newest first. */
  clientKeys: Record<string, string[]>;
  /** Newest first; every one is valid. */
  reviewerTokens: string[];
  decisionSecret: string;
  /** Newest first; every callback is signed with each. */
  callbackSecrets: string[];
  maxUploadBytes: number;
  reviewTimeoutMs: number;
  claimLeaseMs: number;
  retentionMs: number;
  allowLoopbackCallbacks: boolean;
  tagger: "workers-ai" | "embedded";
  localTaggerUrl: string | null;
  captionModel: string | null;
};

export class ConfigError extends Error {}

export function readSettings(env: Env): Settings {
  const clientKeys = ClientKeysSchema.safeParse(safeJson(env.CLIENT_KEYS));
  if (!clientKeys.success) throw new ConfigError("CLIENT_KEYS must be a JSON object of client id -> key, or -> [keys, newest first]");
  // A key shared by two clients would make the client it authenticates depend on the order of the object.
  const allKeys = Object.values(clientKeys.data).flat();
  if (new Set(allKeys).size !== allKeys.length) throw new ConfigError("CLIENT_KEYS must not give the same key twice");
  const maxUploadBytes = Number(env.MAX_UPLOAD_BYTES);
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes <= 0) throw new ConfigError("MAX_UPLOAD_BYTES must be a positive integer");
  const reviewerTokens = secretList(env.REVIEWER_TOKEN);
  if (reviewerTokens.length === 0) throw new ConfigError("REVIEWER_TOKEN must be set");
  if (new TextEncoder().encode(env.DECISION_SIGNING_SECRET ?? "").byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError("DECISION_SIGNING_SECRET must be at least 32 bytes");
  }
  const callbackSecrets = secretList(env.CALLBACK_SIGNING_SECRET);
  if (callbackSecrets.length === 0) throw new ConfigError("CALLBACK_SIGNING_SECRET must be set");
  // Refused here, not at the first delivery after a review: the position says which one without showing it.
  const badSecret = callbackSecrets.findIndex((secret) => !isCallbackSecret(secret));
  if (badSecret >= 0) {
    throw new ConfigError(
      `CALLBACK_SIGNING_SECRET: secret ${badSecret + 1} is not ${CALLBACK_SECRET_PREFIX} followed by the base64 of at least ${MIN_CALLBACK_SECRET_BYTES} bytes`,
    );
  }
  if (env.TAGGER !== "workers-ai" && env.TAGGER !== "embedded") throw new ConfigError('TAGGER must be "workers-ai" or "embedded"');
  if (env.TAGGER === "embedded" && !URL.canParse(env.LOCAL_TAGGER_URL ?? "")) {
    throw new ConfigError('LOCAL_TAGGER_URL must be the embedded tagger\'s URL when TAGGER is "embedded"');
  }
  return {
    clientKeys: clientKeys.data,
    reviewerTokens,
    decisionSecret: env.DECISION_SIGNING_SECRET,
    callbackSecrets,
    maxUploadBytes,
    reviewTimeoutMs: durationSetting("REVIEW_TIMEOUT", env.REVIEW_TIMEOUT),
    claimLeaseMs: durationSetting("CLAIM_LEASE", env.CLAIM_LEASE),
    retentionMs: durationSetting("RETENTION", env.RETENTION),
    allowLoopbackCallbacks: env.ALLOW_LOOPBACK_CALLBACKS === "true",
    tagger: env.TAGGER,
    localTaggerUrl: env.TAGGER === "embedded" ? env.LOCAL_TAGGER_URL : null,
    captionModel: env.CAPTION_MODEL || null,
  };
}

function isCallbackSecret(secret: string): boolean {
  if (!secret.startsWith(CALLBACK_SECRET_PREFIX)) return false;
  const encoded = secret.slice(CALLBACK_SECRET_PREFIX.length);
  try {
    const key = atob(encoded);
    // atob also takes text the signer's decoder refuses (no padding, say): only canonical base64 round-trips.
    return btoa(key) === encoded && key.length >= MIN_CALLBACK_SECRET_BYTES;
  } catch {
    return false;
  }
}

function durationSetting(name: string, value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new ConfigError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return undefined;
  }
}
