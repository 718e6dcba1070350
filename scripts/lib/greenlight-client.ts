// A small HTTP client for the Greenlight API as the contract describes it, shared by the demo and e2e tests.
import type { ReviewItem } from "../../worker/src/domain/review.ts";
import type { Task } from "../../worker/src/domain/task.ts";
import { StopWaiting, waitFor } from "./wait.ts";

export type Credentials = { clientKey: string; reviewerToken: string };

export type HttpResult<T = unknown> = { status: number; headers: Headers; body: T; text: string };

// The Worker's own schemas' types: the scripts speak exactly the contract the Worker serves.
export type { ReviewItem } from "../../worker/src/domain/review.ts";
export type { Task } from "../../worker/src/domain/task.ts";

export type UploadOptions = { callbackUrl?: string; metadata?: Record<string, unknown>; contentType?: string; filename?: string };

/** Thrown when nothing answers at the base URL, so callers can say how to start the stack; it also ends any wait. */
export class StackUnreachable extends StopWaiting {}

export function greenlightClient(baseUrl: string, credentials: Credentials) {
  const client = { Authorization: `Bearer ${credentials.clientKey}` };
  const reviewer = { Authorization: `Bearer ${credentials.reviewerToken}` };
  const call = <T>(path: string, init: RequestInit = {}) => request<T>(new URL(path, baseUrl).toString(), init);

  return {
    baseUrl,
    health: () => call<{ ok: boolean }>("/healthz"),
    upload(image: Uint8Array, { callbackUrl, metadata, contentType = "image/png", filename = "image.png" }: UploadOptions = {}) {
      const form = new FormData();
      form.set("image", new Blob([image as Uint8Array<ArrayBuffer>], { type: contentType }), filename);
      if (callbackUrl) form.set("callbackUrl", callbackUrl);
      if (metadata) form.set("metadata", JSON.stringify(metadata));
      return call<Task>("/v1/tasks", { method: "POST", headers: client, body: form });
    },
    getTask: (taskId: string) => call<Task>(`/v1/tasks/${taskId}`, { headers: client }),
    listReviews: (limit: number) => call<{ items: ReviewItem[]; nextCursor: string | null }>(`/v1/reviews?limit=${limit}`, { headers: reviewer }),
    claim: (limit: number) =>
      call<{ items: ReviewItem[] }>("/v1/reviews/claim", {
        method: "POST",
        headers: { ...reviewer, "Content-Type": "application/json" },
        body: JSON.stringify({ limit }),
      }),
    announce: (taskId: string, announcement: { channel: string; messageTs: string }) =>
      call<null>(`/v1/reviews/${taskId}/announcement`, {
        method: "POST",
        headers: { ...reviewer, "Content-Type": "application/json" },
        body: JSON.stringify(announcement),
      }),
    decide: (token: string) => call<{ taskId: string; status: string; decision: unknown }>("/v1/decisions", { method: "POST", headers: { Authorization: `Bearer ${token}` } }),
  };
}

export type GreenlightClient = ReturnType<typeof greenlightClient>;

/** GETs a URL with no credentials at all (as Slack fetches a preview) and returns its bytes. */
export async function fetchBytes(url: string): Promise<{ status: number; contentType: string | null; bytes: Uint8Array }> {
  const response = await fetchOrUnreachable(url, {});
  return { status: response.status, contentType: response.headers.get("content-type"), bytes: new Uint8Array(await response.arrayBuffer()) };
}

/**
 * Claims until this task is among the claimed items. The queue may hold older pending tasks, which are claimed
 * (and leased for CLAIM_LEASE) along the way; they are returned so a caller can say so.
 */
export async function claimTask(api: GreenlightClient, taskId: string, timeoutMs: number): Promise<{ item: ReviewItem; others: ReviewItem[] }> {
  const others: ReviewItem[] = [];
  let lastStatus = 0;
  const item = await waitFor(
    `a claim to hand out ${taskId}`,
    async () => {
      const result = await api.claim(100);
      lastStatus = result.status;
      if (result.status !== 200) throw answerError(`POST /v1/reviews/claim`, result);
      const mine = result.body.items.find((candidate) => candidate.taskId === taskId);
      others.push(...result.body.items.filter((candidate) => candidate.taskId !== taskId));
      return mine;
    },
    { timeoutMs, intervalMs: 500 },
    () => `last claim answered ${lastStatus}, ${others.length} other task(s) claimed`,
  );
  return { item, others };
}

/** Polls GET /v1/tasks/:id until `done(task)` holds; `onChange` sees every new status. */
export async function pollTask(
  api: GreenlightClient,
  taskId: string,
  done: (task: Task) => boolean,
  { timeoutMs, intervalMs = 250, onChange }: { timeoutMs: number; intervalMs?: number; onChange?: (task: Task) => void },
): Promise<Task> {
  let last: Task | undefined;
  return waitFor(
    `task ${taskId} to reach the expected state`,
    async () => {
      const result = await api.getTask(taskId);
      if (result.status !== 200) throw answerError(`GET /v1/tasks/${taskId}`, result);
      const task = result.body;
      if (task.status !== last?.status || task.callback.state !== last?.callback.state) onChange?.(task);
      last = task;
      return done(task) ? task : undefined;
    },
    { timeoutMs, intervalMs },
    () => (last ? `status ${last.status}, callback ${last.callback.state} (attempts ${last.callback.attempts}, lastError ${last.callback.lastError})` : "no answer yet"),
  );
}

// A 4xx will not change by asking again; a 5xx might be passing, so the wait goes on (and reports it if it lasts).
function answerError(what: string, result: HttpResult): Error {
  const message = `${what} answered ${result.status}: ${result.text}`;
  return result.status >= 400 && result.status < 500 ? new StopWaiting(message) : new Error(message);
}

async function request<T>(url: string, init: RequestInit): Promise<HttpResult<T>> {
  const response = await fetchOrUnreachable(url, init);
  const text = await response.text();
  let body: unknown = null;
  if (text && response.headers.get("content-type")?.includes("json")) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: body as T, text };
}

async function fetchOrUnreachable(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(30_000) });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EHOSTUNREACH") {
      throw new StackUnreachable(`Nothing answers at ${new URL(url).origin} (${code}).`);
    }
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(`${init.method ?? "GET"} ${url} failed${cause ? `: ${cause}` : ""}`, { cause: error });
  }
}
