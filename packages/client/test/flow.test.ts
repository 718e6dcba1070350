// The whole flow through @greenlight/client against the local stack as real processes: upload, poll with ETags,
// claim and decide as reviewer tooling, wait for the final state, and verify the signed callback.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGreenlightClient, GreenlightError, verifyCallback, WaitTimeout, WebhookVerificationError } from "@greenlight/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallbackReceiver, startCallbackReceiver } from "../../../scripts/lib/callback-receiver.ts";
import { devClient, setting } from "../../../scripts/lib/dev-vars.ts";
import { claimTask, type StackClients, stackClients } from "../../../scripts/lib/greenlight-client.ts";
import { solidPng } from "../../../scripts/lib/png.ts";
import { type Stack, startStack, stopAllStacks } from "../../../scripts/lib/stack.ts";
import { signDecisionToken } from "../../../worker/src/domain/decision-token.ts";

const client = devClient(setting("CLIENT_KEYS"));
const callbackSecret = setting("CALLBACK_SIGNING_SECRET");
const LIMITS = { claim: 10_000, final: 30_000, callback: 30_000 };
const RED = solidPng(40, 30, [230, 20, 20]);
const reviewer = { id: "U0CLIENT", name: "Client Package" };

const stateDir = mkdtempSync(join(tmpdir(), "greenlight-client-"));
let receiver: CallbackReceiver;
let stack: Stack;
let api: StackClients;

const sign = (taskId: string, decision: "approve" | "reject") =>
  signDecisionToken(setting("DECISION_SIGNING_SECRET"), { taskId, decision, reviewer, issuer: "console" });

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  stack = await startStack(stateDir);
  api = stackClients(stack.baseUrl, { clientKey: client.key, reviewerToken: setting("REVIEWER_TOKEN") });
});

afterAll(async () => {
  await stopAllStacks();
  await receiver?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("@greenlight/client", () => {
  it("takes an upload through review to a final state and a callback whose signature verifies", async () => {
    const idempotencyKey = `client-flow-${Date.now()}`;
    const first = await api.client.upload(RED, { contentType: "image/png", callbackUrl: `${receiver.url}/hooks/flow`, idempotencyKey });
    expect(first.replayed).toBe(false);
    expect(first.response.status).toBe(202);
    expect(first.task).toMatchObject({ status: "pending", image: { contentType: "image/png", width: 40, height: 30 }, decision: null });
    const again = await api.client.upload(RED, { contentType: "image/png", callbackUrl: `${receiver.url}/hooks/flow`, idempotencyKey });
    expect(again).toMatchObject({ replayed: true, task: { taskId: first.task.taskId } });
    const { taskId } = first.task;

    const { item } = await claimTask(api.reviewer, taskId, LIMITS.claim);
    expect(item).toMatchObject({ taskId, client: client.id });
    const fetched = await api.client.getTask(taskId);
    expect(fetched.task).toMatchObject({ taskId, status: "pending" });
    expect(fetched.etag).toBeTruthy();
    expect(await api.client.getTask(taskId, fetched.etag)).toBeNull();

    const announcement = { channel: "C0CLIENT", messageTs: "1700000000.000200" };
    const announced = await api.reviewer.api.POST("/v1/reviews/{id}/announcement", {
      params: { path: { id: taskId } },
      body: announcement,
    });
    expect(announced.response.status).toBe(204);

    const approval = { decision: "approve", reviewer };
    expect(await api.reviewer.decide(await sign(taskId, "approve"))).toMatchObject({ taskId, status: "approved", decision: approval });
    const late = await api.reviewer.decide(await sign(taskId, "reject")).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(GreenlightError);
    expect(late).toMatchObject({ status: 409, code: "already_decided", body: { error: { details: { decision: approval } } } });

    const final = await api.client.waitForTask(taskId, { timeoutMs: LIMITS.final, intervalMs: 250 });
    expect(final.status).toBe("completed");
    expect(final.tags).toContainEqual(expect.objectContaining({ label: "red", source: "colour" }));

    const callback = await receiver.waitForTask(taskId, LIMITS.callback);
    const event = verifyCallback(callbackSecret, callback.body, callback.headers);
    expect(event).toMatchObject({ type: "task.completed", data: { taskId, status: "completed" } });
    const tampered = callback.body.replace("completed", "rejected");
    expect(() => verifyCallback(callbackSecret, tampered, callback.headers)).toThrow(WebhookVerificationError);
  });

  it("sends metadata as a multipart upload, and a Blob with its own type", async () => {
    const blob = new Blob([RED as Uint8Array<ArrayBuffer>], { type: "image/png" });
    const metadata = { order: 42, note: "multipart" };
    const { task } = await api.client.upload(blob, { metadata });
    expect(task).toMatchObject({ status: "pending", metadata, image: { contentType: "image/png", bytes: RED.byteLength } });
    expect((await api.client.getTask(task.taskId)).task.metadata).toEqual(metadata);
  });

  it("sends a review policy with a raw upload, in its header, and with a multipart one, as a field", async () => {
    const policy = { approvalsRequired: 2, remindAfter: ["2 hours"], escalateAfter: "6 hours", escalateTo: "#leads" };
    const raw = await api.client.upload(RED, { contentType: "image/png", policy });
    const multipart = await api.client.upload(RED, { contentType: "image/png", metadata: { order: 7 }, policy });
    for (const { task } of [raw, multipart]) {
      expect(task.policy).toEqual({ ...policy, onDeadline: "expire", excludedReviewers: [] });
      expect((await api.client.getTask(task.taskId)).task.policy).toEqual(task.policy);
    }
  });

  it("throws the contract's error envelope, typed", async () => {
    const refused = await api.client
      .upload(RED, { contentType: "image/png", callbackUrl: "ftp://example.com/hook" })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GreenlightError);
    expect(refused).toMatchObject({
      status: 422,
      code: "invalid_callback_url",
      body: { error: { code: "invalid_callback_url", message: expect.any(String) } },
    });

    const missing = await api.client.getTask("tsk_00000000000000000000000000000000").catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "task_not_found" } } });

    const stranger = createGreenlightClient({ baseUrl: stack.baseUrl, apiKey: "not-a-client-key" });
    await expect(stranger.getTask("tsk_00000000000000000000000000000000")).rejects.toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("watches a task live: its state, then each change once, in order, until it has settled", async () => {
    const { task } = await api.client.upload(RED, { contentType: "image/png", callbackUrl: `${receiver.url}/hooks/watch` });
    const { item } = await claimTask(api.reviewer, task.taskId, LIMITS.claim);
    expect(item.taskId).toBe(task.taskId);
    const seen: Array<[number, string, string | undefined]> = [];
    for await (const event of api.client.watchTask(task.taskId)) {
      seen.push([event.id, event.type, event.task?.status]);
      if (event.type === "state") await api.reviewer.decide(await sign(task.taskId, "approve"));
    }
    // Claimed, so pre-screened and queued before the stream opened: the state stands after those two events.
    expect(seen).toEqual([
      [2, "state", "pending"],
      [3, "decided", "approved"],
      [4, "tagged", "completed"],
      [5, "completed", "completed"],
      [6, "callback.delivered", "completed"],
    ]);
    const resumed = [];
    for await (const event of api.client.watchTask(task.taskId, { lastEventId: 3 })) resumed.push(event.type);
    expect(resumed).toEqual(["tagged", "completed", "callback.delivered"]);
  });

  it("waits by polling when no event stream can be had, and when asked to", async () => {
    // A proxy that will not pass event streams: every one is answered 502.
    const noStreams = createGreenlightClient({
      baseUrl: stack.baseUrl,
      apiKey: client.key,
      fetch: async (request) => (request.url.endsWith("/events") ? new Response("Bad Gateway", { status: 502 }) : fetch(request)),
    });
    for (const [waiter, live] of [
      [noStreams, true],
      [api.client, false],
    ] as const) {
      const { task } = await waiter.upload(RED, { contentType: "image/png" });
      await claimTask(api.reviewer, task.taskId, LIMITS.claim);
      await api.reviewer.decide(await sign(task.taskId, "reject"));
      const final = await waiter.waitForTask(task.taskId, { timeoutMs: LIMITS.final, intervalMs: 100, live });
      expect(final).toMatchObject({ taskId: task.taskId, status: "rejected" });
    }
  });

  it("gives up waiting after the timeout, with the last state it saw", async () => {
    const { task } = await api.client.upload(RED, { contentType: "image/png" });
    const waited = await api.client.waitForTask(task.taskId, { timeoutMs: 1_000, intervalMs: 200 }).catch((error: unknown) => error);
    expect(waited).toBeInstanceOf(WaitTimeout);
    expect(waited).toMatchObject({ task: { taskId: task.taskId, status: "pending" } });
  });
});
