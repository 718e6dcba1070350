// Small helpers to drive the Worker through its real fetch handler inside workerd.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { vi } from "vitest";
import { signDecisionToken } from "../../src/domain/decision-token.ts";
import type { Task } from "../../src/domain/task.ts";
import { RED_PNG } from "./images.ts";

export const CLIENT_KEY = "dev-client-key";
export const OTHER_CLIENT_KEY = "dev-other-key";
export const REVIEWER_TOKEN = "dev-reviewer-token";
export const ORIGIN = "https://greenlight.test";

export const api = (path: string, init?: RequestInit) => exports.default.fetch(new Request(new URL(path, ORIGIN), init));

export const asClient = (key = CLIENT_KEY) => ({ authorization: `Bearer ${key}` });
export const asReviewer = () => ({ authorization: `Bearer ${REVIEWER_TOKEN}` });

type UploadOptions = { bytes?: Uint8Array; callbackUrl?: string; headers?: Record<string, string> };

/** A raw image upload; the response body is left unread. */
export function postImage(options: UploadOptions = {}): Promise<Response> {
  const query = options.callbackUrl ? `?callbackUrl=${encodeURIComponent(options.callbackUrl)}` : "";
  return api(`/v1/tasks${query}`, {
    method: "POST",
    headers: { ...asClient(), "content-type": "image/png", ...options.headers },
    body: options.bytes ?? RED_PNG,
  });
}

export async function upload(options: UploadOptions = {}) {
  const response = await postImage(options);
  return { response, task: (await response.json()) as Task };
}

export async function createTask(options: UploadOptions = {}): Promise<Task> {
  const { response, task } = await upload(options);
  if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${JSON.stringify(task)}`);
  return task;
}

/** A task that reviewers can see: the workflow has pre-screened it and put it in the pending queue. */
export async function createQueuedTask(options: UploadOptions = {}): Promise<Task> {
  const task = await createTask(options);
  const key = `pending:v1:${task.createdAt}:${task.taskId}`;
  await waitUntil(async () => (await env.TASKS.list({ prefix: key })).keys.length === 1, `${task.taskId} was never queued`);
  return task;
}

async function waitUntil(check: () => Promise<boolean>, failure: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The task's gate, which holds its deadline and the alarm that ends the review. */
export const gateOf = (taskId: string) => env.DECISIONS.get(env.DECISIONS.idFromName(taskId));

/** Fires the gate's alarm with the clock past the task's deadline, as the runtime does when the deadline comes. */
export async function passDeadline(task: Task): Promise<void> {
  vi.setSystemTime(Date.parse(task.reviewDeadline) + 1000);
  try {
    await runDurableObjectAlarm(gateOf(task.taskId));
  } finally {
    vi.useRealTimers();
  }
}

export function decisionToken(
  taskId: string,
  decision: "approve" | "reject",
  extra: { reviewer?: string; jti?: string; reason?: string } = {},
) {
  const reviewer = extra.reviewer ?? "ada";
  return signDecisionToken(env.DECISION_SIGNING_SECRET, {
    taskId,
    decision,
    reviewer: { id: `U-${reviewer}`, name: reviewer },
    reason: extra.reason,
    issuer: "slack-app",
    jti: extra.jti,
  });
}

export const decide = async (token: string) => api("/v1/decisions", { method: "POST", headers: { authorization: `Bearer ${token}` } });

export async function getTask(taskId: string): Promise<Task> {
  const response = await api(`/v1/tasks/${taskId}`, { headers: asClient() });
  return (await response.json()) as Task;
}

/** Polls the task until `until` holds; KV writes from the workflow land a moment after the HTTP answers. */
export async function waitForTask(taskId: string, until: (task: Task) => boolean, timeoutMs = 10_000): Promise<Task> {
  let last: Task | undefined;
  const matches = async () => {
    last = await getTask(taskId);
    return until(last);
  };
  await waitUntil(matches, `task ${taskId} never matched`, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}; last seen ${JSON.stringify(last)}`);
  });
  return last!;
}

/** A body stream that declares `declared` bytes and ends after `bytes`: workerd then fails the read part-way. */
export function brokenOff(bytes: Uint8Array, declared: number): ReadableStream<Uint8Array> {
  const { readable, writable } = new FixedLengthStream(declared);
  const writer = writable.getWriter();
  // Closing short is refused on the writing side too; that refusal is the point, not a test failure.
  writer
    .write(bytes)
    .then(() => writer.close())
    .catch(() => {});
  return readable;
}

export const BROKEN_OFF = {
  error: {
    code: "invalid_request",
    message: "The body could not be read in full: it ended before its Content-Length, or the connection broke.",
  },
};
