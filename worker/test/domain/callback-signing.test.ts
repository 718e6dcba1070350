// Callback signatures while CALLBACK_SIGNING_SECRET is rotated, checked with the standardwebhooks reference library.
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { type CallbackMessage, signCallbackMessage } from "../../src/domain/callback-event.ts";

const NEW_SECRET = `whsec_${btoa("new-callback-secret-0123456789ab")}`;
const OLD_SECRET = `whsec_${btoa("old-callback-secret-0123456789ab")}`;
const RETIRED_SECRET = `whsec_${btoa("retired-callback-secret-01234567")}`;

const event = { type: "task.completed", timestamp: "2025-01-01T00:00:00.000Z", data: { taskId: "tsk_0123456789abcdef0123456789abcdef" } };
// The reference verifier refuses a timestamp more than 5 minutes from its clock, so the message is made now.
const message = (): CallbackMessage => ({
  id: `msg_${event.data.taskId}`,
  timestamp: Math.floor(Date.now() / 1000),
  body: JSON.stringify(event),
});

describe("signing a callback with several secrets", () => {
  it("sends one v1 signature per secret, newest first, each verifying with its own secret only", () => {
    const sent = message();
    const headers = signCallbackMessage([NEW_SECRET, OLD_SECRET], sent);
    expect(headers["webhook-id"]).toBe(sent.id);
    expect(headers["webhook-timestamp"]).toBe(String(sent.timestamp));
    const entries = headers["webhook-signature"]!.split(" ");
    expect(entries).toEqual([expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/), expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/)]);

    const [newEntry, oldEntry] = entries as [string, string];
    const only = (entry: string) => ({ ...headers, "webhook-signature": entry });
    expect(new Webhook(NEW_SECRET).verify(sent.body, only(newEntry))).toEqual(event);
    expect(new Webhook(OLD_SECRET).verify(sent.body, only(oldEntry))).toEqual(event);
    expect(() => new Webhook(NEW_SECRET).verify(sent.body, only(oldEntry))).toThrow(WebhookVerificationError);
    expect(() => new Webhook(OLD_SECRET).verify(sent.body, only(newEntry))).toThrow(WebhookVerificationError);
  });

  it("lets a receiver holding either secret verify the whole header, and one holding a retired secret none", () => {
    const sent = message();
    const headers = signCallbackMessage([NEW_SECRET, OLD_SECRET], sent);
    expect(new Webhook(NEW_SECRET).verify(sent.body, headers)).toEqual(event);
    expect(new Webhook(OLD_SECRET).verify(sent.body, headers)).toEqual(event);
    expect(() => new Webhook(RETIRED_SECRET).verify(sent.body, headers)).toThrow("No matching signature found");
  });

  it("sends a single signature when there is one secret", () => {
    const sent = message();
    const headers = signCallbackMessage([NEW_SECRET], sent);
    expect(headers["webhook-signature"]).toBe(new Webhook(NEW_SECRET).sign(sent.id, new Date(sent.timestamp * 1000), sent.body));
  });
});
