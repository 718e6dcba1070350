// The Slack app's settings, read once from the environment and checked so a bad value names its setting.
import { LogLevel } from "@slack/bolt";
import { MIN_SECRET_BYTES } from "../worker/src/domain/decision-token.ts";
import { secretList } from "../worker/src/domain/secure-compare.ts";

export type Config = {
  /** Socket Mode when set (xapp-...); otherwise the HTTP receiver at POST /slack/events. */
  appToken: string | null;
  signingSecret: string;
  botToken: string;
  slackApiUrl: string;
  greenlightUrl: string;
  decisionSecret: string;
  /** Empty: anyone who can click in the channel may decide. */
  approverIds: ReadonlySet<string>;
  /** The newest of REVIEWER_TOKEN's tokens, the one that outlives a rotation. */
  reviewerToken: string | null;
  port: number;
  /** null: every interface, as Node's listen() does by default. */
  host: string | null;
  poster: { channel: string; intervalMs: number; batchSize: number } | null;
  logLevel: LogLevel;
};

export class ConfigError extends Error {}

const DEFAULT_SLACK_API_URL = "https://slack.com/api/";

export function loadConfig(env: Record<string, string | undefined>): Config {
  const appToken = optional(env, "SLACK_APP_TOKEN");
  if (appToken !== null && !appToken.startsWith("xapp-")) throw new ConfigError("SLACK_APP_TOKEN must be an app-level token (xapp-...)");
  const signingSecret = optional(env, "SLACK_SIGNING_SECRET");
  // Socket Mode needs no signing secret: Slack's requests come over the app's own authenticated WebSocket.
  if (appToken === null && signingSecret === null)
    throw new ConfigError("SLACK_SIGNING_SECRET must be set (or SLACK_APP_TOKEN for Socket Mode)");
  const decisionSecret = required(env, "DECISION_SIGNING_SECRET");
  if (new TextEncoder().encode(decisionSecret).byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(`DECISION_SIGNING_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  // The Worker accepts every token in REVIEWER_TOKEN (space-separated, newest first), so one value can serve both.
  const reviewerToken = secretList(env.REVIEWER_TOKEN)[0] ?? null;
  const postReviews = optional(env, "POST_REVIEWS") ?? "false";
  if (postReviews !== "true" && postReviews !== "false") throw new ConfigError('POST_REVIEWS must be "true" or "false"');

  let poster: Config["poster"] = null;
  if (postReviews === "true") {
    if (reviewerToken === null) throw new ConfigError("REVIEWER_TOKEN must be set when POST_REVIEWS is true");
    const channel = optional(env, "SLACK_CHANNEL");
    if (channel === null) throw new ConfigError("SLACK_CHANNEL must name the channel to post reviews to when POST_REVIEWS is true");
    const seconds = number(env, "POLL_INTERVAL_SECONDS", 5, (value) => value >= 1 && value <= 3600);
    poster = { channel, intervalMs: seconds * 1000, batchSize: 10 };
  }

  return {
    appToken,
    signingSecret: signingSecret ?? "",
    botToken: required(env, "SLACK_BOT_TOKEN"),
    slackApiUrl: url(env, "SLACK_API_URL", DEFAULT_SLACK_API_URL),
    greenlightUrl: url(env, "GREENLIGHT_URL"),
    decisionSecret,
    approverIds: new Set(
      (optional(env, "SLACK_APPROVER_IDS") ?? "")
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean),
    ),
    reviewerToken,
    port: number(env, "PORT", 3000, (value) => Number.isInteger(value) && value >= 0 && value <= 65535),
    host: optional(env, "HOST"),
    poster,
    logLevel: logLevel(optional(env, "LOG_LEVEL") ?? "info"),
  };
}

function logLevel(value: string): LogLevel {
  const level = Object.values(LogLevel).find((level) => level === value);
  if (level) return level;
  throw new ConfigError(`LOG_LEVEL must be debug, info, warn or error, not "${value}"`);
}

function optional(env: Record<string, string | undefined>, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = optional(env, name);
  if (value === null) throw new ConfigError(`${name} must be set`);
  return value;
}

function url(env: Record<string, string | undefined>, name: string, fallback?: string): string {
  const value = optional(env, name) ?? fallback;
  if (value === undefined) throw new ConfigError(`${name} must be set`);
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new ConfigError(`${name} must be an http(s) URL, not "${value}"`);
  return value;
}

function number(env: Record<string, string | undefined>, name: string, fallback: number, valid: (value: number) => boolean): number {
  const raw = optional(env, name);
  const value = raw === null ? fallback : Number(raw);
  if (!Number.isFinite(value) || !valid(value)) throw new ConfigError(`${name} is not valid: "${raw}"`);
  return value;
}
