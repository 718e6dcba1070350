// Rotating REVIEWER_TOKEN and client keys: every listed credential works, a removed one is refused like any wrong one.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { listSessions } from "../src/adapters/console-sessions.ts";
import { getTaskRecord } from "../src/adapters/task-store.ts";
import { app } from "../src/app.ts";
import { signInForm } from "../src/console/forms-view.ts";
import { page } from "../src/console/layout.ts";
import { api, asClient, CLIENT_KEY, createQueuedTask, ORIGIN, OTHER_CLIENT_KEY, postImage, REVIEWER_TOKEN } from "./support/api.ts";

// vitest.config.ts gives the test Worker both halves of each pair, newest first.
const NEXT_REVIEWER_TOKEN = "dev-reviewer-token-next";
const PREVIOUS_CLIENT_KEY = "dev-client-key-previous";

const UNAUTHORIZED = { error: { code: "unauthorized", message: "A valid Authorization: Bearer <key> header is required." } };
const UNKNOWN_REVIEW = "/v1/reviews/tsk_00000000000000000000000000000000";

// Failures are counted per source: each refusal here comes from its own documentation address, away from other files'.
const source = (host: number) => `198.51.100.${host}`;

/** The Worker after the rotation's last step, where the old credential has been taken out of the setting. */
const afterRemoval = async (path: string, init: RequestInit, settings: Partial<Env>) =>
  app.request(new URL(path, ORIGIN).toString(), init, { ...env, ...settings });

const signIn = (token: string, name: string, request = api) =>
  request("/console/sign-in", {
    method: "POST",
    redirect: "manual",
    headers: { origin: ORIGIN, "cf-connecting-ip": source(1) },
    body: new URLSearchParams({ token, name }),
  });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("several reviewer tokens", () => {
  it("lets the API be used with the new and the old token alike", async () => {
    const task = await createQueuedTask();
    const announce = await api(`/v1/reviews/${task.taskId}/announcement`, {
      method: "POST",
      headers: { authorization: `Bearer ${REVIEWER_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: "C-rotation", messageTs: "1700000000.000200" }),
    });
    expect(announce.status).toBe(204);

    const status = await api(`/v1/reviews/${task.taskId}`, { headers: { authorization: `Bearer ${NEXT_REVIEWER_TOKEN}` } });
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({
      taskId: task.taskId,
      status: "pending",
      reviewDeadline: task.reviewDeadline,
      decision: null,
      announcement: { channel: "C-rotation", messageTs: "1700000000.000200" },
      approvals: [],
      approvalsRequired: 1,
      stages: [],
    });
  });

  it("signs in to the console with the new and the old token alike", async () => {
    for (const [token, name] of [
      [NEXT_REVIEWER_TOKEN, "Ada with the new token"],
      [REVIEWER_TOKEN, "Ada with the old token"],
    ] as const) {
      const response = await signIn(token, name);
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/console");
      const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
      expect((await api("/console", { headers: { cookie } })).status).toBe(200);
      expect(await listSessions(env, Date.now())).toContainEqual(expect.objectContaining({ name }));
    }
  });

  it("refuses a token removed from REVIEWER_TOKEN on the API, counting it as a failure, and keeps the one left", async () => {
    const limit = vi.spyOn(env.AUTH_FAILURES, "limit");
    const rotated = { REVIEWER_TOKEN: NEXT_REVIEWER_TOKEN };
    const removed = await afterRemoval(
      UNKNOWN_REVIEW,
      { headers: { authorization: `Bearer ${REVIEWER_TOKEN}`, "cf-connecting-ip": source(2) } },
      rotated,
    );
    expect(removed.status).toBe(401);
    expect(await removed.json()).toEqual(UNAUTHORIZED);
    expect(limit.mock.calls).toEqual([[{ key: source(2) }]]);

    const kept = await afterRemoval(
      UNKNOWN_REVIEW,
      { headers: { authorization: `Bearer ${NEXT_REVIEWER_TOKEN}`, "cf-connecting-ip": source(3) } },
      rotated,
    );
    expect(kept.status).toBe(404);
    expect(((await kept.json()) as typeof UNAUTHORIZED).error.code).toBe("task_not_found");
    expect(limit).toHaveBeenCalledTimes(1);
  });

  it("refuses a token removed from REVIEWER_TOKEN at the console's sign-in, and starts no session", async () => {
    const limit = vi.spyOn(env.AUTH_FAILURES, "limit");
    const name = "Mallory with a removed token";
    const refused = await signIn(REVIEWER_TOKEN, name, (path, init) => afterRemoval(path, init!, { REVIEWER_TOKEN: NEXT_REVIEWER_TOKEN }));
    expect(refused.status).toBe(401);
    expect(await refused.text()).toBe(String(await page("Sign in", signInForm("That reviewer token is not valid."))));
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(limit.mock.calls).toEqual([[{ key: source(1) }]]);
    expect(await listSessions(env, Date.now())).not.toContainEqual(expect.objectContaining({ name }));
  });
});

describe("several keys for one client", () => {
  it("is the same client with either key: its tasks, and its Idempotency-Keys", async () => {
    const headers = { "idempotency-key": "rotation-order-1" };
    const first = await postImage({ headers: { ...headers, ...asClient(PREVIOUS_CLIENT_KEY) } });
    expect(first.status).toBe(202);
    const task = (await first.json()) as { taskId: string };
    expect((await getTaskRecord(env, task.taskId))?.clientId).toBe("demo");

    const read = await api(`/v1/tasks/${task.taskId}`, { headers: asClient(CLIENT_KEY) });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { taskId: string }).taskId).toBe(task.taskId);

    const replayed = await postImage({ headers: { ...headers, ...asClient(CLIENT_KEY) } });
    expect(replayed.status).toBe(202);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(((await replayed.json()) as { taskId: string }).taskId).toBe(task.taskId);

    // Another client still sees nothing of it.
    expect((await api(`/v1/tasks/${task.taskId}`, { headers: asClient(OTHER_CLIENT_KEY) })).status).toBe(404);
  });

  it("refuses a key removed from CLIENT_KEYS, counting it as a failure, and keeps the one left", async () => {
    const task = await createQueuedTask();
    const limit = vi.spyOn(env.AUTH_FAILURES, "limit");
    const rotated = { CLIENT_KEYS: JSON.stringify({ demo: CLIENT_KEY, other: OTHER_CLIENT_KEY }) };
    const path = `/v1/tasks/${task.taskId}`;

    const removed = await afterRemoval(path, { headers: { ...asClient(PREVIOUS_CLIENT_KEY), "cf-connecting-ip": source(4) } }, rotated);
    expect(removed.status).toBe(401);
    expect(await removed.json()).toEqual(UNAUTHORIZED);
    expect(limit.mock.calls).toEqual([[{ key: source(4) }]]);

    const kept = await afterRemoval(path, { headers: { ...asClient(CLIENT_KEY), "cf-connecting-ip": source(5) } }, rotated);
    expect(kept.status).toBe(200);
    expect(((await kept.json()) as { taskId: string }).taskId).toBe(task.taskId);
    expect(limit).toHaveBeenCalledTimes(1);
  });
});
