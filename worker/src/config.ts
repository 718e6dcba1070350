// Settings read from the Worker's environment once per request, validated so a bad value fails loudly.
import { z } from "zod";
import { MIN_SECRET_BYTES } from "./domain/decision-token.ts";
import { parseDuration } from "./domain/duration.ts";

const ClientKeysSchema = z.record(z.string().min(1), z.string().min(1));

export type Settings = {
  clientKeys: Record<string, string>;
  reviewerToken: string;
  decisionSecret: string;
  callbackSecret: string;
  maxUploadBytes: number;
  reviewTimeoutMs: number;
  claimLeaseMs: number;
  allowLoopbackCallbacks: boolean;
  tagger: "workers-ai" | "embedded";
  localTaggerUrl: string | null;
  captionModel: string | null;
};

export class ConfigError extends Error {}

export function readSettings(env: Env): Settings {
  const clientKeys = ClientKeysSchema.safeParse(safeJson(env.CLIENT_KEYS));
  if (!clientKeys.success) throw new ConfigError('CLIENT_KEYS must be a JSON object of client id -> key');
  const maxUploadBytes = Number(env.MAX_UPLOAD_BYTES);
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes <= 0) throw new ConfigError("MAX_UPLOAD_BYTES must be a positive integer");
  if (!env.REVIEWER_TOKEN) throw new ConfigError("REVIEWER_TOKEN must be set");
  if (new TextEncoder().encode(env.DECISION_SIGNING_SECRET ?? "").byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError("DECISION_SIGNING_SECRET must be at least 32 bytes");
  }
  if (!env.CALLBACK_SIGNING_SECRET?.startsWith("whsec_")) throw new ConfigError("CALLBACK_SIGNING_SECRET must start with whsec_");
  if (env.TAGGER !== "workers-ai" && env.TAGGER !== "embedded") throw new ConfigError('TAGGER must be "workers-ai" or "embedded"');
  if (env.TAGGER === "embedded" && !URL.canParse(env.LOCAL_TAGGER_URL ?? "")) {
    throw new ConfigError('LOCAL_TAGGER_URL must be the embedded tagger\'s URL when TAGGER is "embedded"');
  }
  return {
    clientKeys: clientKeys.data,
    reviewerToken: env.REVIEWER_TOKEN,
    decisionSecret: env.DECISION_SIGNING_SECRET,
    callbackSecret: env.CALLBACK_SIGNING_SECRET,
    maxUploadBytes,
    reviewTimeoutMs: durationSetting("REVIEW_TIMEOUT", env.REVIEW_TIMEOUT),
    claimLeaseMs: durationSetting("CLAIM_LEASE", env.CLAIM_LEASE),
    allowLoopbackCallbacks: env.ALLOW_LOOPBACK_CALLBACKS === "true",
    tagger: env.TAGGER,
    localTaggerUrl: env.TAGGER === "embedded" ? env.LOCAL_TAGGER_URL : null,
    captionModel: env.CAPTION_MODEL || null,
  };
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
