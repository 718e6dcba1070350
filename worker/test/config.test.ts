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
const RECEIPT_KEYS_FORMAT =
  "RECEIPT_SIGNING_KEYS must be a JSON array of Ed25519 JWKs with a kid each, the signing key first (npm run receipt-key makes one)";
const badReceiptKey = (position: number) =>
  `RECEIPT_SIGNING_KEYS: key ${position} is not an Ed25519 JWK (kty OKP, crv Ed25519, x, optional d) with a kid`;
// Shaped like Ed25519 JWKs (32 bytes each, base64url), which is all the setting's check can see before a key is used.
const receiptKey = (kid: string, withPrivateHalf = true) => ({
  kty: "OKP",
  crv: "Ed25519",
  kid,
  x: "x".repeat(43),
  ...(withPrivateHalf && { d: "d".repeat(43) }),
});
const receiptKeys = (...keys: object[]) => JSON.stringify(keys);

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
    ["RECEIPT_SIGNING_KEYS", "", RECEIPT_KEYS_FORMAT],
    ["RECEIPT_SIGNING_KEYS", "[]", RECEIPT_KEYS_FORMAT],
    ["RECEIPT_SIGNING_KEYS", JSON.stringify(receiptKey("new")), RECEIPT_KEYS_FORMAT],
    ["RECEIPT_SIGNING_KEYS", receiptKeys({ ...receiptKey("new"), kid: undefined }), badReceiptKey(1)],
    ["RECEIPT_SIGNING_KEYS", receiptKeys({ ...receiptKey("new"), crv: "X25519" }), badReceiptKey(1)],
    ["RECEIPT_SIGNING_KEYS", receiptKeys(receiptKey("new"), { ...receiptKey("old"), kty: "EC" }), badReceiptKey(2)],
    ["RECEIPT_SIGNING_KEYS", receiptKeys(receiptKey("new"), { ...receiptKey("old"), x: "x".repeat(42) }), badReceiptKey(2)],
    ["RECEIPT_SIGNING_KEYS", receiptKeys({ ...receiptKey("new"), d: `${"d+".repeat(21)}d` }), badReceiptKey(1)],
    [
      "RECEIPT_SIGNING_KEYS",
      receiptKeys(receiptKey("new"), receiptKey("new", false)),
      "RECEIPT_SIGNING_KEYS: key 2 repeats the kid of an earlier key",
    ],
    [
      "RECEIPT_SIGNING_KEYS",
      receiptKeys(receiptKey("new", false), receiptKey("old")),
      "RECEIPT_SIGNING_KEYS: key 1 signs receipts, so it must be a private key (with d)",
    ],
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

  it("signs receipts with the first receipt key and publishes the public half of each, in order", () => {
    const settings = readSettings(
      Object.assign({}, env, { RECEIPT_SIGNING_KEYS: receiptKeys(receiptKey("new"), receiptKey("old", false)) }),
    );
    const published = (kid: string) => ({ kty: "OKP", crv: "Ed25519", kid, x: "x".repeat(43), alg: "EdDSA", use: "sig" });
    expect(settings.receiptKeys).toEqual({ signing: receiptKey("new"), published: [published("new"), published("old")] });
  });
});
