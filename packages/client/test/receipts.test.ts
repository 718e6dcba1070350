// verifyReceipt against receipts the Worker's own code signs, with a key from scripts/receipt-key.ts: the payload comes
// back typed, and anything Greenlight did not sign exactly so is refused.
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Receipt, ReceiptVerificationError, verifyReceipt } from "@greenlight/client";
import { base64url, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { signDecisionToken } from "../../../worker/src/domain/decision-token.ts";
import {
  publicReceiptKey,
  type Receipt as SignedReceipt,
  type ReceiptPrivateJwk,
  receiptClaims,
  ReceiptSigningJwkSchema,
  signReceipt,
} from "../../../worker/src/domain/receipt.ts";
import type { Task } from "../../../worker/src/domain/task.ts";

const SCRIPT = new URL("../../../scripts/receipt-key.ts", import.meta.url).pathname;
const NOW = new Date("2026-12-03T10:00:00.000Z");
const ADA = { id: "U0ADA", name: "Ada" };

const TASK: Task = {
  taskId: "tsk_0123456789abcdef0123456789abcdef",
  status: "completed",
  createdAt: "2026-12-03T09:00:00.000Z",
  updatedAt: "2026-12-03T09:59:59.000Z",
  reviewDeadline: "2026-12-04T09:00:00.000Z",
  image: { contentType: "image/png", bytes: 1234, sha256: "ab".repeat(32), width: 64, height: 32 },
  metadata: { order: 42 },
  decision: { decision: "approve", reviewer: ADA, reason: null, decidedAt: "2026-12-03T09:30:00.000Z", via: "console" },
  tags: [{ label: "cat", score: 0.9, source: "coco", count: 2 }],
  caption: null,
  policy: { approvalsRequired: 1, onDeadline: "expire", excludedReviewers: [] },
  callback: { url: null, state: "none", attempts: 0, lastError: null, deliveredAt: null },
  links: { self: "/v1/tasks/tsk_0123456789abcdef0123456789abcdef", image: "/v1/tasks/tsk_0123456789abcdef0123456789abcdef/image" },
};

/** A key as an operator makes one: the script's output, read as the Worker reads RECEIPT_SIGNING_KEYS. */
function scriptKey(kid?: string): ReceiptPrivateJwk {
  const printed = execFileSync(process.execPath, [SCRIPT, ...(kid ? [kid] : [])], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const key = ReceiptSigningJwkSchema.parse(JSON.parse(printed));
  if (!key.d) throw new Error("the script printed no private key");
  return { ...key, d: key.d };
}

/** The receipt with its payload changed and re-encoded, its header and signature kept. */
function tampered(receipt: string, change: Partial<Receipt>): string {
  const [header, payload, signature] = receipt.split(".");
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
  return [header, base64url.encode(JSON.stringify({ ...claims, ...change })), signature].join(".");
}

const key = scriptKey("receipts-test");
const keys = { keys: [publicReceiptKey(key)] };
const claims = receiptClaims(TASK, "@cf/microsoft/resnet-50");
let receipt: string;

beforeAll(async () => {
  receipt = await signReceipt(key, claims, NOW);
});

describe("verifyReceipt", () => {
  it("returns the payload of a receipt Greenlight signed, typed as the Worker signs it", async () => {
    const verified = await verifyReceipt(receipt, keys);
    expect(verified).toEqual({
      iss: "greenlight",
      sub: TASK.taskId,
      jti: `msg_${TASK.taskId}`,
      iat: NOW.getTime() / 1000,
      taskId: TASK.taskId,
      status: "completed",
      imageSha256: "ab".repeat(32),
      decision: "approve",
      reviewer: ADA,
      reason: null,
      decidedAt: "2026-12-03T09:30:00.000Z",
      via: "console",
      policy: { approvalsRequired: 1, onDeadline: "expire", approvals: [{ reviewer: ADA, decidedAt: "2026-12-03T09:30:00.000Z" }] },
      tags: [{ label: "cat", score: 0.9, source: "coco", count: 2 }],
      taggerModel: "@cf/microsoft/resnet-50",
    });
    expectTypeOf(verified).toEqualTypeOf<Receipt>();
    expectTypeOf<Receipt>().toEqualTypeOf<SignedReceipt>();
  });

  it.each<[string, Partial<Receipt>]>([
    ["image hash", { imageSha256: "cd".repeat(32) }],
    ["decision", { decision: "reject" }],
    ["reviewer", { reviewer: { id: "U0EVE", name: "Eve" } }],
    ["status", { status: "rejected" }],
  ])("refuses a receipt whose %s was changed", async (_, change) => {
    await expect(verifyReceipt(tampered(receipt, {}), keys)).resolves.toMatchObject({ taskId: TASK.taskId });
    await expect(verifyReceipt(tampered(receipt, change), keys)).rejects.toThrow(ReceiptVerificationError);
  });

  it("refuses a receipt under another key, whether the set has its kid or not", async () => {
    const other = scriptKey("receipts-test");
    await expect(verifyReceipt(receipt, { keys: [publicReceiptKey(other)] })).rejects.toThrow(ReceiptVerificationError);
    const unknownKid = await verifyReceipt(receipt, { keys: [publicReceiptKey({ ...key, kid: "another" })] }).catch(
      (error: unknown) => error,
    );
    expect(unknownKid).toBeInstanceOf(ReceiptVerificationError);
    expect((unknownKid as Error).message).toBe("The receipt does not verify: no applicable key found in the JSON Web Key Set");
  });

  it("refuses what is not a receipt: a decision token, an EdDSA JWT of another type or issuer, text", async () => {
    const decisionToken = await signDecisionToken("dev-decision-secret-0123456789abcdef", {
      taskId: TASK.taskId,
      decision: "approve",
      reviewer: ADA,
      issuer: "console",
    });
    const signingKey = await importJWK(key, "EdDSA");
    const plainJwt = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
      .setIssuedAt()
      .sign(signingKey);
    const otherIssuer = await new SignJWT({ ...claims, iss: "mallory" })
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "greenlight-receipt+jwt" })
      .setIssuedAt()
      .sign(signingKey);
    for (const forged of [decisionToken, plainJwt, otherIssuer, "not a receipt", receipt.split(".").slice(0, 2).join(".")]) {
      await expect(verifyReceipt(forged, keys), forged).rejects.toThrow(ReceiptVerificationError);
    }
  });
});

describe("verifyReceipt with the key set's URL", () => {
  let server: Server;
  let base: string;
  const fetched: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      fetched.push(request.url ?? "");
      if (request.url !== "/.well-known/jwks.json") return void response.writeHead(500).end();
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(keys));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("fetches the keys once and verifies with them, given the URL as text or as a URL", async () => {
    await expect(verifyReceipt(receipt, `${base}/.well-known/jwks.json`)).resolves.toMatchObject({ taskId: TASK.taskId });
    await expect(verifyReceipt(receipt, new URL("/.well-known/jwks.json", base))).resolves.toMatchObject({ taskId: TASK.taskId });
    await expect(verifyReceipt(tampered(receipt, { decision: "reject" }), new URL("/.well-known/jwks.json", base))).rejects.toThrow(
      ReceiptVerificationError,
    );
    expect(fetched).toEqual(["/.well-known/jwks.json"]);
  });

  it("says a key set it could not fetch is that, not a bad receipt", async () => {
    const failure = await verifyReceipt(receipt, `${base}/broken/jwks.json`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ReceiptVerificationError);
    expect((failure as Error).message).toBe("Expected 200 OK from the JSON Web Key Set HTTP response");
  });
});

it("scripts/receipt-key.ts makes a fresh key each run, named by the date unless given a kid", () => {
  const dated = scriptKey();
  expect(dated.kid).toMatch(/^receipts-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
  expect(scriptKey().d).not.toBe(dated.d);
  expect(scriptKey("receipts-2027").kid).toBe("receipts-2027");
});
