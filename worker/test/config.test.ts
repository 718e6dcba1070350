// A bad setting fails loudly and names itself, without leaking any value.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import { readSettings } from "../src/config.ts";

const CLIENT_KEYS_FORMAT = "CLIENT_KEYS must be a JSON object of client id -> key, or -> [keys, newest first]";
// Standard Webhooks asks for at least 24 random bytes.
const KEY_24 = "twenty-four-bytes-of-key";
const callbackSecret = (key: string) => `whsec_${btoa(key)}`;
const badCallbackSecret = (position: number) =>
  `CALLBACK_SIGNING_SECRET: secret ${position} is not whsec_ followed by the base64 of at least 24 bytes`;

describe("settings", () => {
  it.each([
    ["MAX_UPLOAD_BYTES", "ten megabytes", "MAX_UPLOAD_BYTES must be a positive integer"],
    ["REVIEW_TIMEOUT", "soon", 'REVIEW_TIMEOUT: Not a duration: "soon" (try "24 hours" or "90 seconds")'],
    ["DECISION_SIGNING_SECRET", "too-short", "DECISION_SIGNING_SECRET must be at least 32 bytes"],
    ["CLIENT_KEYS", "demo=key", CLIENT_KEYS_FORMAT],
    ["CLIENT_KEYS", '{"demo":[]}', CLIENT_KEYS_FORMAT],
    ["CLIENT_KEYS", '{"demo":["new-key",""]}', CLIENT_KEYS_FORMAT],
    ["CLIENT_KEYS", '{"demo":["new-key",7]}', CLIENT_KEYS_FORMAT],
    ["CLIENT_KEYS", '{"demo":["new-key","old-key"],"other":"old-key"}', "CLIENT_KEYS must not give the same key twice"],
    ["CLIENT_KEYS", '{"demo":["new-key","new-key"]}', "CLIENT_KEYS must not give the same key twice"],
    ["REVIEWER_TOKEN", "", "REVIEWER_TOKEN must be set"],
    ["REVIEWER_TOKEN", "   ", "REVIEWER_TOKEN must be set"],
    ["CALLBACK_SIGNING_SECRET", "", "CALLBACK_SIGNING_SECRET must be set"],
    ["CALLBACK_SIGNING_SECRET", btoa(KEY_24), badCallbackSecret(1)],
    ["CALLBACK_SIGNING_SECRET", `${callbackSecret(KEY_24)} sk_${btoa(KEY_24)}`, badCallbackSecret(2)],
    ["CALLBACK_SIGNING_SECRET", `${callbackSecret(KEY_24)} ${callbackSecret(KEY_24.slice(1))}`, badCallbackSecret(2)],
    ["CALLBACK_SIGNING_SECRET", `${callbackSecret(KEY_24)} whsec_not*base64`, badCallbackSecret(2)],
    ["CALLBACK_SIGNING_SECRET", `${callbackSecret(KEY_24)}, ${callbackSecret(KEY_24)}`, badCallbackSecret(1)],
    ["CALLBACK_SIGNING_SECRET", `whsec_${btoa(`${KEY_24}x`).replaceAll("=", "")}`, badCallbackSecret(1)],
    ["TAGGER", "magic", 'TAGGER must be "workers-ai" or "embedded"'],
  ])("a bad %s makes every endpoint answer server_misconfigured, naming it", async (name, value, message) => {
    const response = await app.request("/healthz", {}, { ...env, [name]: value });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "server_misconfigured", message } });
  });

  it("reads every secret of a rotation, newest first, whatever the spacing between them", () => {
    const settings = readSettings({
      ...env,
      CLIENT_KEYS: JSON.stringify({ acme: ["new-key", "old-key"], beta: "beta-key" }),
      REVIEWER_TOKEN: " new-token  old-token\n",
      CALLBACK_SIGNING_SECRET: `${callbackSecret(KEY_24)}\t${callbackSecret(`${KEY_24}-old`)}`,
    });
    expect(settings.clientKeys).toEqual({ acme: ["new-key", "old-key"], beta: ["beta-key"] });
    expect(settings.reviewerTokens).toEqual(["new-token", "old-token"]);
    expect(settings.callbackSecrets).toEqual([callbackSecret(KEY_24), callbackSecret(`${KEY_24}-old`)]);
  });
});
