// A bad setting fails loudly and names itself, without leaking any value.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";

describe("settings", () => {
  it.each([
    ["MAX_UPLOAD_BYTES", "ten megabytes", "MAX_UPLOAD_BYTES must be a positive integer"],
    ["REVIEW_TIMEOUT", "soon", 'REVIEW_TIMEOUT: Not a duration: "soon" (try "24 hours" or "90 seconds")'],
    ["DECISION_SIGNING_SECRET", "too-short", "DECISION_SIGNING_SECRET must be at least 32 bytes"],
    ["CLIENT_KEYS", "demo=key", "CLIENT_KEYS must be a JSON object of client id -> key"],
    ["TAGGER", "magic", 'TAGGER must be "workers-ai" or "embedded"'],
  ])("a bad %s makes every endpoint answer server_misconfigured, naming it", async (name, value, message) => {
    const response = await app.request("/healthz", {}, { ...env, [name]: value });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "server_misconfigured", message } });
  });
});
