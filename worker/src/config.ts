// Settings read from the Worker's environment once per request, validated so a bad value fails loudly.
import { z } from "zod";
import { MIN_SECRET_BYTES } from "./domain/decision-token.ts";
import { parseDuration } from "./domain/duration.ts";
import { jsonText } from "./domain/json-text.ts";
import { ReviewPolicyInputSchema } from "./domain/policy.ts";
import { publicReceiptKey, type ReceiptSigningJwk, ReceiptSigningJwkSchema } from "./domain/receipt.ts";
import { secretList } from "./domain/secure-compare.ts";

// Standard Webhooks, "Signature scheme": a symmetric secret is random, at least 24 bytes, serialized as whsec_ + base64.
const CALLBACK_SECRET_PREFIX = "whsec_";
const MIN_CALLBACK_SECRET_BYTES = 24;
const CALLBACK_SECRET_FORM = `${CALLBACK_SECRET_PREFIX} followed by the base64 of at least ${MIN_CALLBACK_SECRET_BYTES} bytes`;

/** What a setting of the wrong form must be; a refinement that finds something more specific names it itself. */
const REQUIREMENTS = {
  CLIENT_KEYS: "CLIENT_KEYS must be a JSON object of client id -> key, or -> [keys, newest first]",
  MAX_UPLOAD_BYTES: "MAX_UPLOAD_BYTES must be a positive integer",
  REVIEWER_TOKEN: "REVIEWER_TOKEN must be set",
  DECISION_SIGNING_SECRET: `DECISION_SIGNING_SECRET must be at least ${MIN_SECRET_BYTES} bytes`,
  CALLBACK_SIGNING_SECRET: "CALLBACK_SIGNING_SECRET must be set",
  TAGGER: 'TAGGER must be "workers-ai" or "embedded"',
  RECEIPT_SIGNING_KEYS:
    "RECEIPT_SIGNING_KEYS must be a JSON array of Ed25519 JWKs with a kid each, the signing key first (npm run receipt-key makes one)",
  REVIEW_POLICIES:
    "REVIEW_POLICIES must be a JSON object of client id -> review policy (approvalsRequired 1 to 5, onDeadline expire or reject, excludedReviewers, remindAfter, escalateAfter with escalateTo)",
} as const;

// A client's key, or its keys newest first while one is rotated: any of them is that client.
const ClientKeysSchema = jsonText(
  z.record(
    z.string().min(1),
    z.union([
      z
        .string()
        .min(1)
        .transform((key) => [key]),
      z.array(z.string().min(1)).min(1),
    ]),
  ),
).refine((clients) => {
  // A key shared by two clients would make the client it authenticates depend on the order of the object.
  const keys = Object.values(clients).flat();
  return new Set(keys).size === keys.length;
}, "CLIENT_KEYS must not give the same key twice");

/** Secrets separated by spaces or commas, newest first; at least one. */
const SecretsSchema = z.string().transform(secretList).pipe(z.array(z.string()).min(1));

/**
 * The receipt keys, newest first: the first signs, and every one is published so that receipts signed before a rotation
 * still verify. Only the first needs its private half; an older key may keep just its public one.
 */
const ReceiptKeysSchema = jsonText(z.array(z.unknown()).min(1)).transform((entries, ctx) => {
  const refuse = (message: string) => {
    // The position names the key without showing it.
    ctx.issues.push({ code: "custom", input: "", message: `RECEIPT_SIGNING_KEYS: ${message}` });
    return z.NEVER;
  };
  const keys: ReceiptSigningJwk[] = [];
  for (const [index, entry] of entries.entries()) {
    const key = ReceiptSigningJwkSchema.safeParse(entry);
    if (!key.success) return refuse(`key ${index + 1} is not an Ed25519 JWK (kty OKP, crv Ed25519, x, optional d) with a kid`);
    if (keys.some(({ kid }) => kid === key.data.kid)) return refuse(`key ${index + 1} repeats the kid of an earlier key`);
    keys.push(key.data);
  }
  const [signing] = keys;
  if (!signing?.d) return refuse("key 1 signs receipts, so it must be a private key (with d)");
  return { signing: { ...signing, d: signing.d }, published: keys.map(publicReceiptKey) };
});

const duration = (name: string) =>
  z.string().transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.issues.push({ code: "custom", input: value, message: `${name}: ${error instanceof Error ? error.message : String(error)}` });
      return z.NEVER;
    }
  });

const SettingsSchema = z
  .object({
    CLIENT_KEYS: ClientKeysSchema,
    MAX_UPLOAD_BYTES: z.coerce.number().int().positive(),
    REVIEWER_TOKEN: SecretsSchema,
    DECISION_SIGNING_SECRET: z
      .string()
      .refine((secret) => new TextEncoder().encode(secret).byteLength >= MIN_SECRET_BYTES, REQUIREMENTS.DECISION_SIGNING_SECRET),
    CALLBACK_SIGNING_SECRET: SecretsSchema.superRefine((secrets, ctx) => {
      // Refused here, not at the first delivery after a review: the position says which one without showing it.
      const bad = secrets.findIndex((secret) => !isCallbackSecret(secret));
      if (bad >= 0) {
        ctx.addIssue({ code: "custom", message: `CALLBACK_SIGNING_SECRET: secret ${bad + 1} is not ${CALLBACK_SECRET_FORM}` });
      }
    }),
    RECEIPT_SIGNING_KEYS: ReceiptKeysSchema,
    TAGGER: z.enum(["workers-ai", "embedded"]),
    LOCAL_TAGGER_URL: z.string().optional(),
    REVIEW_TIMEOUT: duration("REVIEW_TIMEOUT"),
    CLAIM_LEASE: duration("CLAIM_LEASE"),
    RETENTION: duration("RETENTION"),
    ALLOW_LOOPBACK_CALLBACKS: z.string().optional(),
    CAPTION_MODEL: z.string().optional(),
    // Optional, and empty like the other optional vars: a client without an entry reviews with DEFAULT_POLICY.
    REVIEW_POLICIES: z
      .literal("")
      .or(jsonText(z.record(z.string().min(1), ReviewPolicyInputSchema)))
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.TAGGER === "embedded" && !URL.canParse(env.LOCAL_TAGGER_URL ?? "")) {
      const message = 'LOCAL_TAGGER_URL must be the embedded tagger\'s URL when TAGGER is "embedded"';
      ctx.addIssue({ code: "custom", path: ["LOCAL_TAGGER_URL"], message });
    }
  })
  .transform((env) => ({
    /** Client id -> its keys, newest first. */
    clientKeys: env.CLIENT_KEYS,
    /** Newest first; every one is valid. */
    reviewerTokens: env.REVIEWER_TOKEN,
    decisionSecret: env.DECISION_SIGNING_SECRET,
    /** Newest first; every callback is signed with each. */
    callbackSecrets: env.CALLBACK_SIGNING_SECRET,
    /** The key that signs receipts, and the public halves of all, the signing one first. */
    receiptKeys: env.RECEIPT_SIGNING_KEYS,
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    reviewTimeoutMs: env.REVIEW_TIMEOUT,
    claimLeaseMs: env.CLAIM_LEASE,
    retentionMs: env.RETENTION,
    allowLoopbackCallbacks: env.ALLOW_LOOPBACK_CALLBACKS === "true",
    tagger: env.TAGGER,
    localTaggerUrl: env.TAGGER === "embedded" ? (env.LOCAL_TAGGER_URL ?? null) : null,
    captionModel: env.CAPTION_MODEL || null,
    /** Client id -> its default review policy fields; an upload's own fields go over them. */
    reviewPolicies: env.REVIEW_POLICIES || {},
  }));

export type Settings = z.output<typeof SettingsSchema>;

export class ConfigError extends Error {}

/** The settings, or a ConfigError naming the first bad one (never its value). */
export function readSettings(env: Env): Settings {
  const parsed = SettingsSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const setting = String(issue?.path[0]);
  if (issue?.code === "custom") throw new ConfigError(issue.message);
  throw new ConfigError(setting in REQUIREMENTS ? REQUIREMENTS[setting as keyof typeof REQUIREMENTS] : `${setting}: ${issue?.message}`);
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
