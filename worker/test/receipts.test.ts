// Decision receipts: signed as a task reaches a final state, on the task and in its callback, and verified by anyone
// holding the keys that GET /.well-known/jwks.json publishes, across a key rotation.
import { env } from "cloudflare:workers";
import {
  base64url,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
} from "jose";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import { readSettings } from "../src/config.ts";
import { publicReceiptKey, type ReceiptSigningJwk, ReceiptSigningJwkSchema } from "../src/domain/receipt.ts";
import type { Task } from "../src/domain/task.ts";
import { signTaskReceipt } from "../src/services/receipts.ts";
import { api, asClient, createQueuedTask, createTask, decide, decisionToken, passDeadline, postImage, waitForTask } from "./support/api.ts";
import { receiver, settled, verified, withoutWaits } from "./support/callbacks.ts";
import { RED_PNG, truncatedPng } from "./support/images.ts";
import { taggerCalls } from "./support/tagger-calls.ts";

const TYPE = "greenlight-receipt+jwt";
// The test bindings' keys (vitest.config.ts): the first signs, the one it replaced is only published.
const DEV_KEY = {
  kty: "OKP",
  crv: "Ed25519",
  kid: "dev-receipts",
  x: "y5IxX9rGJR3FozVgHcNykCWoXIpo8wYc3Fc-SRwyp4w",
  alg: "EdDSA",
  use: "sig",
};
const PREVIOUS_KEY = { ...DEV_KEY, kid: "dev-receipts-previous", x: "N6NWfCSdnbWHNbiryZgYGp_gJyaBJN53rSQRuGhwxaA" };
const ADA = { id: "U-ada", name: "ada" };

/** The key set the Worker serves, with these RECEIPT_SIGNING_KEYS when given. */
async function servedKeys(keys?: ReceiptSigningJwk[]): Promise<JSONWebKeySet> {
  const response = keys ? await app.request("/.well-known/jwks.json", {}, withKeys(keys)) : await api("/.well-known/jwks.json");
  expect(response.status).toBe(200);
  return response.json();
}

const withKeys = (keys: ReceiptSigningJwk[]): Env => Object.assign({}, env, { RECEIPT_SIGNING_KEYS: JSON.stringify(keys) });

/** Verifies as any holder of the key set would, with jose alone; throws for a receipt that does not verify. */
async function verify(receipt: string, keys: JSONWebKeySet) {
  return jwtVerify(receipt, createLocalJWKSet(keys), { algorithms: ["EdDSA"], typ: TYPE, issuer: "greenlight" });
}

/** The receipt with its payload changed and re-encoded, its header and signature kept. */
function tampered(receipt: string, change: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload, signature] = receipt.split(".");
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
  return [header, base64url.encode(JSON.stringify(change(claims))), signature].join(".");
}

const sha256 = async (bytes: Uint8Array) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (byte) => byte.toString(16).padStart(2, "0")).join("");

/** A task approved by ada, tagged and called back. */
async function completedTask(callbackUrl?: string): Promise<Task> {
  const task = await createTask(callbackUrl ? { callbackUrl } : {});
  expect((await decide(await decisionToken(task.taskId, "approve"))).status).toBe(200);
  return waitForTask(task.taskId, (current) => current.status === "completed" && (callbackUrl === undefined || settled(current)));
}

/** A fresh private key, as `npm run receipt-key` makes one. */
async function newKey(kid: string): Promise<ReceiptSigningJwk> {
  const { kty, crv, x, d } = await exportJWK((await generateKeyPair("Ed25519", { extractable: true })).privateKey);
  return ReceiptSigningJwkSchema.parse({ kty, crv, kid, x, d });
}

describe("GET /.well-known/jwks.json", () => {
  it("publishes the public half of every receipt key, the signing one first, to anyone, cacheable", async () => {
    const response = await api("/.well-known/jwks.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ keys: [DEV_KEY, PREVIOUS_KEY] });
  });
});

describe("decision receipts", () => {
  it("approved and tagged: the completed task's receipt verifies with the served keys, says exactly what happened, and is in the callback", async () => {
    const inbox = await receiver();
    const started = Math.floor(Date.now() / 1000);
    const done = await completedTask(inbox.url);
    const { payload, protectedHeader } = await verify(done.receipt!, await servedKeys());

    expect(protectedHeader).toEqual({ alg: "EdDSA", kid: "dev-receipts", typ: TYPE });
    expect(payload).toEqual({
      iss: "greenlight",
      sub: done.taskId,
      jti: `msg_${done.taskId}`,
      iat: expect.any(Number),
      taskId: done.taskId,
      status: "completed",
      imageSha256: await sha256(RED_PNG),
      decision: "approve",
      reviewer: ADA,
      reason: null,
      decidedAt: done.decision!.decidedAt,
      via: "slack-app",
      policy: { approvalsRequired: 1, onDeadline: "expire", approvals: [{ reviewer: ADA, decidedAt: done.decision!.decidedAt }] },
      tags: done.tags,
      taggerModel: "embedded-tagger",
    });
    expect(done.tags).toEqual(expect.arrayContaining([{ label: "red", score: expect.any(Number), source: "colour" }]));
    expect(payload.iat).toBeGreaterThanOrEqual(started);
    expect(payload.iat).toBeLessThanOrEqual(Math.ceil(Date.parse(done.updatedAt) / 1000));

    const [delivery, ...more] = await inbox.deliveries();
    expect(more).toHaveLength(0);
    expect(verified(delivery!)).toMatchObject({ type: "task.completed", data: { receipt: done.receipt } });
  });

  it("rejected: no tags and no tagger, with the reason", async () => {
    const inbox = await receiver();
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject", { reason: "off-topic" }));
    const done = await waitForTask(task.taskId, settled);

    const { payload } = await verify(done.receipt!, await servedKeys());
    expect(payload).toMatchObject({
      status: "rejected",
      decision: "reject",
      reviewer: ADA,
      reason: "off-topic",
      decidedAt: done.decision!.decidedAt,
      via: "slack-app",
      policy: { approvalsRequired: 1, onDeadline: "expire", approvals: [] },
      tags: null,
      taggerModel: null,
    });
    expect(verified((await inbox.deliveries())[0]!)).toMatchObject({ type: "task.rejected", data: { receipt: done.receipt } });
  });

  it("expired: the status, and no decision, reviewer or tags", async () => {
    const inbox = await receiver();
    const task = await createQueuedTask({ callbackUrl: inbox.url });
    await passDeadline(task);
    const done = await waitForTask(task.taskId, settled);

    const { payload } = await verify(done.receipt!, await servedKeys());
    expect(payload).toEqual({
      iss: "greenlight",
      sub: task.taskId,
      jti: `msg_${task.taskId}`,
      iat: expect.any(Number),
      taskId: task.taskId,
      status: "expired",
      imageSha256: await sha256(RED_PNG),
      decision: null,
      reviewer: null,
      reason: null,
      decidedAt: null,
      via: null,
      policy: { approvalsRequired: 1, onDeadline: "expire", approvals: [] },
      tags: null,
      taggerModel: null,
    });
    expect(verified((await inbox.deliveries())[0]!)).toMatchObject({ type: "task.expired", data: { receipt: done.receipt } });
  });

  it("a quorum: the receipt counts every approval, in order, and names the reviewer who completed it", async () => {
    const task = await createTask({ headers: { "review-policy": JSON.stringify({ approvalsRequired: 2 }) } });
    await decide(await decisionToken(task.taskId, "approve", { reviewer: "ada" }));
    await decide(await decisionToken(task.taskId, "approve", { reviewer: "bob" }));
    const done = await waitForTask(task.taskId, (current) => current.status === "completed");

    const { payload } = await verify(done.receipt!, await servedKeys());
    expect(payload).toMatchObject({
      status: "completed",
      reviewer: { id: "U-bob", name: "bob" },
      policy: { approvalsRequired: 2, onDeadline: "expire", approvals: done.decision!.approvals },
    });
    expect(done.decision!.approvals!.map((approval) => approval.reviewer.name)).toEqual(["ada", "bob"]);
  });

  it("failed, then retried: the failed state's receipt stays until the retry's final state replaces it under the retry's event id", async () => {
    await using _workflows = await withoutWaits();
    using _tagger = taggerCalls([415]);
    const task = await createTask();
    await decide(await decisionToken(task.taskId, "approve"));
    const failed = await waitForTask(task.taskId, (current) => current.status === "failed");
    const keys = await servedKeys();
    expect((await verify(failed.receipt!, keys)).payload).toMatchObject({
      jti: `msg_${task.taskId}`,
      status: "failed",
      decision: "approve",
      tags: null,
      taggerModel: null,
    });

    const retried = await api(`/v1/tasks/${task.taskId}/retry`, { method: "POST", headers: asClient() });
    expect(retried.status).toBe(202);
    expect(((await retried.json()) as Task).receipt).toBe(failed.receipt);

    const done = await waitForTask(task.taskId, (current) => current.status === "completed");
    expect(done.receipt).not.toBe(failed.receipt);
    expect((await verify(done.receipt!, keys)).payload).toMatchObject({
      jti: `msg_${task.taskId}_retry1`,
      status: "completed",
      tags: done.tags,
      taggerModel: "embedded-tagger",
    });
  });

  it("fails to verify once the image hash, the decision or the reviewer is changed", async () => {
    const done = await completedTask();
    const keys = await servedKeys();
    // Re-encoding the payload unchanged keeps it verifying, so each failure below is the change's alone.
    await expect(
      verify(
        tampered(done.receipt!, (claims) => claims),
        keys,
      ),
    ).resolves.toBeTruthy();
    for (const change of [
      { imageSha256: await sha256(truncatedPng()) },
      { decision: "reject" },
      { reviewer: { id: "U-eve", name: "eve" } },
    ]) {
      const forged = tampered(done.receipt!, (claims) => ({ ...claims, ...change }));
      expect(decodeJwt(forged)).toMatchObject(change);
      await expect(verify(forged, keys), JSON.stringify(change)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    }
  });

  it("is absent while the task is pending", async () => {
    const response = await postImage();
    expect(response.status).toBe(202);
    expect((await response.json()) as Task).not.toHaveProperty("receipt");
  });
});

describe("receipt key rotation", () => {
  it("keeps receipts signed before a rotation verifiable while new ones carry the new kid", async () => {
    const done = await completedTask();
    const settings = readSettings(env);
    const old = await newKey("receipts-old");

    // Before the rotation the old key signs, and is the only one published.
    const before = [old];
    const oldReceipt = await signTaskReceipt(readSettings(withKeys(before)), done);
    expect(decodeProtectedHeader(oldReceipt)).toEqual({ alg: "EdDSA", kid: "receipts-old", typ: TYPE });
    expect(await servedKeys(before)).toEqual({ keys: [publicReceiptKey(old)] });

    // The new key is put first: it signs, and the old key stays published.
    const rotated = [settings.receiptKeys.signing, old];
    expect(await servedKeys(rotated)).toEqual({ keys: [DEV_KEY, publicReceiptKey(old)] });
    const newReceipt = await signTaskReceipt(readSettings(withKeys(rotated)), done);
    expect(decodeProtectedHeader(newReceipt).kid).toBe("dev-receipts");
    for (const receipt of [oldReceipt, newReceipt, done.receipt!]) {
      expect((await verify(receipt, await servedKeys(rotated))).payload).toMatchObject({ taskId: done.taskId, status: "completed" });
    }

    // The old key's private half can go: its public half alone keeps its receipts verifiable.
    const { d: _destroyed, ...oldPublic } = old;
    const retired = [settings.receiptKeys.signing, oldPublic];
    expect(await servedKeys(retired)).toEqual(await servedKeys(rotated));
    expect((await verify(oldReceipt, await servedKeys(retired))).payload.taskId).toBe(done.taskId);

    // Dropped altogether, it verifies nothing it signed.
    await expect(verify(oldReceipt, await servedKeys([settings.receiptKeys.signing]))).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it("refuses to sign with a key whose x is not its d's public half, naming the setting and the kid, never the key", async () => {
    const done = await completedTask();
    const { signing } = readSettings(env).receiptKeys;
    const mismatched = readSettings(withKeys([{ ...signing, x: PREVIOUS_KEY.x }]));
    await expect(signTaskReceipt(mismatched, done)).rejects.toThrow(
      new Error("RECEIPT_SIGNING_KEYS: the x of key dev-receipts is not the public half of its d"),
    );
  });
});
