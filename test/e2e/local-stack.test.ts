// End to end: `npm start`'s script as real processes on 127.0.0.1, driven over HTTP with a real callback receiver.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Task, verifyCallback } from "@greenlight/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";
import { type CallbackReceiver, type ReceivedCallback, startCallbackReceiver } from "../../scripts/lib/callback-receiver.ts";
import { devClient, ROOT, setting } from "../../scripts/lib/dev-vars.ts";
import { claimTask, fetchBytes, type StackClients, stackClients } from "../../scripts/lib/greenlight-client.ts";
import { solidPng } from "../../scripts/lib/png.ts";
import { processGroup } from "../../scripts/lib/proc.ts";
import { portReleased, type Stack, startStack, stopAllStacks, tail } from "../../scripts/lib/stack.ts";
import { waitFor } from "../../scripts/lib/wait.ts";

// The stack reads the same settings as `wrangler dev` does: .dev.vars when present, else the dev-only defaults.
const client = devClient(setting("CLIENT_KEYS"));
const reviewerToken = setting("REVIEWER_TOKEN");
const decisionSecret = setting("DECISION_SIGNING_SECRET");
const callbackSecret = setting("CALLBACK_SIGNING_SECRET");
const verified = (callback: ReceivedCallback) => verifyCallback(callbackSecret, callback.body, callback.headers);
const REVIEW_TIMEOUT_SECONDS = 5;
const LIMITS = { claim: 10_000, tagging: 30_000, callback: 30_000, expiry: REVIEW_TIMEOUT_SECONDS * 1000 + 40_000 };

const RED = solidPng(40, 30, [230, 20, 20]);
const reviewer = { id: "U0E2E", name: "E2E Reviewer" };

const stateDirs: string[] = [];
let receiver: CallbackReceiver;
let main: Stack;
let shortTimeout: Stack;

const freshStateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "greenlight-e2e-"));
  stateDirs.push(dir);
  return dir;
};
const apiFor = (stack: Stack) => stackClients(stack.baseUrl, { clientKey: client.key, reviewerToken });
const approve = async (taskId: string) => signDecisionToken(decisionSecret, { taskId, decision: "approve", reviewer, issuer: "console" });
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Runs `fn`; on failure, appends the stack's output so a broken Worker explains itself. */
async function withStackOutput<T>(stack: Stack, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Error) error.message += `\nLast lines from the stack on port ${stack.port}:\n${tail(stack.output)}`;
    throw error;
  }
}

async function upload(api: StackClients, name: string): Promise<Task> {
  return (
    await api.client.upload(RED, { contentType: "image/png", callbackUrl: `${receiver.url}/hooks/${name}`, metadata: { test: name } })
  ).task;
}

async function decideAndComplete(api: StackClients, taskId: string): Promise<Task> {
  await api.reviewer.decide(await approve(taskId));
  return api.client.waitForTask(taskId, {
    until: (task) => task.status === "completed" && task.callback.state === "delivered",
    timeoutMs: LIMITS.tagging,
  });
}

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  [main, shortTimeout] = await Promise.all([
    startStack(freshStateDir()),
    startStack(freshStateDir(), { REVIEW_TIMEOUT: `${REVIEW_TIMEOUT_SECONDS} seconds` }),
  ]);
});

afterAll(async () => {
  await stopAllStacks();
  await receiver?.close();
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

describe("the local stack", () => {
  it("takes an upload through review, tagging and one signed callback", async () => {
    const api = apiFor(main);
    await withStackOutput(main, async () => {
      const created = await api.client.upload(RED, {
        contentType: "image/png",
        callbackUrl: `${receiver.url}/hooks/flow`,
        metadata: { test: "flow", n: 1 },
      });
      const { task } = created;
      expect(created.response.headers.get("location")).toBe(`/v1/tasks/${task.taskId}`);
      expect(created.response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      expect(task).toMatchObject({
        status: "pending",
        image: { contentType: "image/png", bytes: RED.byteLength, sha256: sha256(RED), width: 40, height: 30 },
        metadata: { test: "flow", n: 1 },
        decision: null,
        tags: null,
        callback: { url: `${receiver.url}/hooks/flow`, state: "pending", attempts: 0, lastError: null, deliveredAt: null },
        links: { self: `/v1/tasks/${task.taskId}`, image: `/v1/tasks/${task.taskId}/image` },
      });

      expect((await api.client.getTask(task.taskId)).task.status).toBe("pending");

      const { item } = await claimTask(api.reviewer, task.taskId, LIMITS.claim);
      expect(item).toMatchObject({ taskId: task.taskId, client: client.id, metadata: { test: "flow", n: 1 } });
      expect(item.image).toMatchObject({ contentType: "image/png", bytes: RED.byteLength, width: 40, height: 30 });
      expect(item.image.previewUrl.startsWith(`${main.baseUrl}/v1/images/${task.taskId}?`)).toBe(true);
      const preview = await fetchBytes(item.image.previewUrl);
      expect(preview.status).toBe(200);
      expect(preview.contentType).toBe("image/png");
      expect(Buffer.from(preview.bytes).equals(Buffer.from(RED))).toBe(true);

      const announcement = { channel: "C0E2E", messageTs: "1700000000.000100" };
      const announced = await api.reviewer.api.POST("/v1/reviews/{id}/announcement", {
        params: { path: { id: task.taskId } },
        body: announcement,
      });
      expect(announced.response.status, JSON.stringify(announced.error)).toBe(204);

      const decided = await api.reviewer.decide(await approve(task.taskId));
      expect(decided).toMatchObject({
        taskId: task.taskId,
        status: "approved",
        decision: { decision: "approve", reviewer, via: "console" },
      });

      const completed = await api.client.waitForTask(task.taskId, { timeoutMs: LIMITS.tagging });
      expect(completed.status).toBe("completed");
      expect(completed.tags).toContainEqual(expect.objectContaining({ label: "red", source: "colour" }));
      expect(completed.decision).toMatchObject({ decision: "approve", reviewer });

      const callback = await receiver.waitForTask(task.taskId, LIMITS.callback);
      expect(callback.path).toBe("/hooks/flow");
      expect(callback.headers["content-type"]).toMatch(/^application\/json/);
      const event = verified(callback);
      expect(event.type).toBe("task.completed");
      const { callback: _sentBeforeDelivery, updatedAt: _updated, ...stable } = completed;
      expect(event.data).toMatchObject(stable);

      const delivered = await api.client.waitForTask(task.taskId, {
        until: (t) => t.callback.state !== "pending",
        timeoutMs: LIMITS.callback,
      });
      expect(delivered.callback).toMatchObject({ state: "delivered", attempts: 1, lastError: null });
      expect(delivered.callback.deliveredAt).not.toBeNull();
      expect(receiver.forTask(task.taskId)).toHaveLength(1);
    });
  });

  it("tags a real photo with the embedded tagger's models: a cat photo comes back tagged cat", async () => {
    const api = apiFor(main);
    const photo = new Uint8Array(readFileSync(join(ROOT, "worker/local-tagger/fixtures/chelsea-the-cat.jpg")));
    await withStackOutput(main, async () => {
      const { task } = await api.client.upload(photo, { contentType: "image/jpeg", callbackUrl: `${receiver.url}/hooks/cat` });
      const { item } = await claimTask(api.reviewer, task.taskId, LIMITS.claim);
      expect(item.prescreen).toMatchObject({ perceptualHash: expect.stringMatching(/^[0-9a-f]{16}$/), unreadable: null });
      expect(item.prescreen?.facts).toContainEqual(expect.objectContaining({ label: "jpeg", source: "format" }));

      const completed = await decideAndComplete(api, task.taskId);
      expect(completed.tags).toContainEqual(expect.objectContaining({ label: "cat", score: expect.any(Number) }));
      expect(completed.tags).toContainEqual(expect.objectContaining({ label: "jpeg", source: "format" }));
    });
  });

  it("starts a killed embedded tagger again, and a task approved afterwards is tagged", async () => {
    const api = apiFor(main);
    await withStackOutput(main, async () => {
      const taggerPid = () =>
        processGroup(main.child.pid ?? 0).find((member) => member.argv.some((arg) => arg.includes("local-tagger")))?.pid;
      const killed = taggerPid();
      expect(killed).toEqual(expect.any(Number));
      const taggerUrl = main.output
        .find((line) => line.trim().startsWith("Tagger "))
        ?.trim()
        .split(/\s+/)[1];
      const task = await upload(api, "tagger-restart");

      process.kill(killed!, "SIGKILL");
      await waitFor(
        "the stack to say it restarts the tagger",
        () => main.output.some((line) => line.startsWith("The embedded tagger exited with code 137; starting it again")) || undefined,
        { timeoutMs: 5_000 },
      );
      await waitFor(
        "the new tagger to answer",
        async () =>
          (taggerPid() !== killed && (await fetch(`${taggerUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok) || undefined,
        { timeoutMs: 30_000 },
      );

      const completed = await decideAndComplete(api, task.taskId);
      expect(completed.tags).toContainEqual({ label: "red", score: expect.any(Number), source: "colour" });
    });
  });

  it("loses nothing on restart: a completed task stays, and a pending one can still be decided", async () => {
    const before = apiFor(main);
    const { completedId, pendingId } = await withStackOutput(main, async () => {
      const done = await upload(before, "restart-completed");
      const completed = await decideAndComplete(before, done.taskId);
      expect(completed.tags).toContainEqual(expect.objectContaining({ label: "red" }));
      const waiting = await upload(before, "restart-pending");
      // Pending means queued for reviewers. The local queue keeps its messages in memory, so a stop before the
      // pre-screen job ran would leave the gate to send it again after 5 minutes, longer than this test waits.
      await waitFor(
        `${waiting.taskId} to be queued for review`,
        async () =>
          (await before.reviewer.api.GET("/v1/reviews", { params: { query: { limit: 100 } } })).data?.items.some(
            (item) => item.taskId === waiting.taskId,
          ) || undefined,
        { timeoutMs: LIMITS.claim },
      );
      return { completedId: done.taskId, pendingId: waiting.taskId };
    });
    const completedBefore = (await before.client.getTask(completedId)).task;

    // GREENLIGHT_STATE_DIR reached wrangler's --persist-to: the state is in the temp dir, not .wrangler/state.
    expect(existsSync(join(main.stateDir, "v3", "kv"))).toBe(true);
    const code = await main.stop();
    expect([0, 130, 143]).toContain(code);
    await waitFor(`port ${main.port} to be released after SIGTERM`, async () => ((await portReleased(main)) ? true : undefined), {
      timeoutMs: 10_000,
    });

    main = await startStack(main.stateDir);
    const after = apiFor(main);
    await withStackOutput(main, async () => {
      expect((await after.client.getTask(completedId)).task).toEqual(completedBefore);
      expect((await after.client.getTask(pendingId)).task.status).toBe("pending");
      const { item } = await claimTask(after.reviewer, pendingId, LIMITS.claim);
      expect(item.taskId).toBe(pendingId);

      const completed = await decideAndComplete(after, pendingId);
      expect(completed.tags).toContainEqual(expect.objectContaining({ label: "red", source: "colour" }));
      expect(completed.callback).toMatchObject({ state: "delivered", attempts: 1 });
      const event = verified(await receiver.waitForTask(pendingId, LIMITS.callback));
      expect(event.type).toBe("task.completed");
      expect(event.data.taskId).toBe(pendingId);
    });
  });

  it(`expires an undecided task after REVIEW_TIMEOUT (${REVIEW_TIMEOUT_SECONDS} seconds) and calls back task.expired`, async () => {
    const api = apiFor(shortTimeout);
    await withStackOutput(shortTimeout, async () => {
      const task = await upload(api, "expiry");
      expect(Date.parse(task.reviewDeadline) - Date.parse(task.createdAt)).toBe(REVIEW_TIMEOUT_SECONDS * 1000);

      const expired = await api.client.waitForTask(task.taskId, {
        until: (t) => t.status !== "pending",
        timeoutMs: LIMITS.expiry,
        intervalMs: 500,
      });
      expect(expired.status).toBe("expired");
      expect(expired.decision).toBeNull();
      expect(expired.tags).toBeNull();

      const event = verified(await receiver.waitForTask(task.taskId, LIMITS.callback));
      expect(event.type).toBe("task.expired");
      expect(event.data).toMatchObject({ taskId: task.taskId, status: "expired", decision: null });

      await expect(api.reviewer.decide(await approve(task.taskId))).rejects.toMatchObject({
        status: 409,
        body: { error: { code: "review_expired" } },
      });

      const settled = await api.client.waitForTask(task.taskId, {
        until: (t) => t.callback.state !== "pending",
        timeoutMs: LIMITS.callback,
      });
      expect(settled.callback).toMatchObject({ state: "delivered", attempts: 1 });
      expect(receiver.forTask(task.taskId)).toHaveLength(1);
    });
  });
});
