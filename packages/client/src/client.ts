// The Greenlight client: every endpoint typed from the OpenAPI document (openapi-fetch), and the helpers most callers need.
import createClient, { type Client } from "openapi-fetch";
import { GreenlightError, WaitTimeout } from "./errors.ts";
import { type WatchOptions, watchTaskEvents } from "./events.ts";
import type { paths } from "./schema.d.ts";
import type { ApprovalProgress, DecisionResult, ReviewPolicy, Task, TaskStatus } from "./types.ts";

export type ClientOptions = {
  /** Where the Worker answers, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** A client key for the task endpoints, or the reviewer token for the reviewer endpoints. */
  apiKey: string;
  /** Sends each request instead of the global fetch (to add a timeout, say). */
  fetch?: (request: Request) => Promise<Response>;
};

export type UploadOptions = {
  /** The image's type when it is given as bytes: image/png, image/jpeg, image/gif or image/webp. */
  contentType?: string;
  callbackUrl?: string;
  /** A JSON object of at most 8 KiB, returned on the task and in its callback. */
  metadata?: Record<string, unknown>;
  /** The same key within 24 hours answers the same task (`replayed`) instead of creating another. */
  idempotencyKey?: string;
  /** How the task is reviewed, any of the policy's fields; the client's default in REVIEW_POLICIES fills the rest. */
  policy?: Partial<ReviewPolicy>;
};

export type Uploaded = { task: Task; replayed: boolean; response: Response };

export type FetchedTask = { task: Task; etag: string | null };

export type WaitOptions = {
  /** When to stop waiting; by default, once the task's status is final. */
  until?: (task: Task) => boolean;
  timeoutMs: number;
  intervalMs?: number;
  /** Called with each new state of the task. */
  onChange?: (task: Task) => void;
  /** Watch the task's event stream (the default), or only poll every `intervalMs`. */
  live?: boolean;
};

export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(["completed", "rejected", "expired", "failed"]);

export const isFinal = (task: Task) => FINAL_STATUSES.has(task.status);

export type GreenlightClient = ReturnType<typeof createGreenlightClient>;

/** Every endpoint, typed: `api.GET("/v1/reviews", ...)` answers `{data, error, response}` and never throws for a status. */
export type GreenlightApi = Client<paths>;

export function createGreenlightClient({ baseUrl, apiKey, fetch }: ClientOptions) {
  const api: GreenlightApi = createClient<paths>({ baseUrl, fetch, headers: { Authorization: `Bearer ${apiKey}` } });

  /**
   * POST /v1/tasks. Bytes or a Blob go as the raw body with their content type; with metadata, which only a
   * multipart body carries, as a multipart form. Throws GreenlightError for any answer but 202.
   */
  async function upload(image: Uint8Array | Blob, options: UploadOptions = {}): Promise<Uploaded> {
    const { contentType, callbackUrl, metadata, idempotencyKey, policy } = options;
    const policyText = policy ? JSON.stringify(policy) : undefined;
    const blob = image instanceof Blob ? image : new Blob([image as Uint8Array<ArrayBuffer>], { type: contentType });
    if (!blob.type) throw new TypeError("An image given as bytes needs its contentType.");
    const { data, error, response } = await api.POST("/v1/tasks", {
      // A multipart body carries the policy as a field; a raw one can only carry it in a header.
      params: { query: { callbackUrl }, header: { "idempotency-key": idempotencyKey, "review-policy": metadata ? undefined : policyText } },
      body: metadata ? { image: blob, metadata: JSON.stringify(metadata), policy: policyText } : blob,
      bodySerializer: (body) => (body instanceof Blob ? body : formData(body)),
      // openapi-fetch labels any body but a FormData as JSON; a FormData gets its boundary from fetch.
      headers: { "Content-Type": metadata ? undefined : blob.type },
    });
    if (!data) throw new GreenlightError("POST /v1/tasks", response, error);
    return { task: data, replayed: response.headers.get("idempotent-replayed") === "true", response };
  }

  /** GET /v1/tasks/:id. Given the ETag of an earlier answer, resolves null while the task is unchanged (304). */
  async function getTask(taskId: string): Promise<FetchedTask>;
  async function getTask(taskId: string, etag: string | null): Promise<FetchedTask | null>;
  async function getTask(taskId: string, etag?: string | null): Promise<FetchedTask | null> {
    const { data, error, response } = await api.GET("/v1/tasks/{id}", {
      params: { path: { id: taskId } },
      headers: { "If-None-Match": etag ?? undefined },
    });
    if (response.status === 304) return null;
    if (!data) throw new GreenlightError(`GET /v1/tasks/${taskId}`, response, error);
    return { task: data, etag: response.headers.get("etag") };
  }

  /**
   * POST /v1/decisions with a signed decision token, which is the credential here instead of the apiKey. Throws
   * GreenlightError for any answer but 200; a 409 already_decided carries the winning decision in `details.decision`.
   * Under a quorum, an approval short of it answers the ApprovalProgress (status pending, no decision).
   */
  async function decide(token: string): Promise<DecisionResult | ApprovalProgress> {
    const { data, error, response } = await api.POST("/v1/decisions", { headers: { Authorization: `Bearer ${token}` } });
    if (!data) throw new GreenlightError("POST /v1/decisions", response, error);
    return data;
  }

  /**
   * Waits until `until` holds for the task, by default until its status is final, and returns it. It watches the
   * task's event stream, resuming after a connection that drops; where no stream can be had (a proxy that will not
   * pass one, say) it polls with If-None-Match instead, so an unchanged task costs a 304, and waits out a 5xx. Any
   * other error ends the wait. Throws WaitTimeout after `timeoutMs`.
   */
  async function waitForTask(taskId: string, options: WaitOptions): Promise<Task> {
    const { until = isFinal, timeoutMs, intervalMs = 1000, onChange, live = true } = options;
    const deadline = Date.now() + timeoutMs;
    let last: Task | undefined;
    let lastError = "";
    const seen = (task: Task) => {
      if (task.updatedAt !== last?.updatedAt || task.status !== last.status) onChange?.(task);
      last = task;
      return until(task);
    };

    let lastEventId: number | undefined;
    let watching = live;
    while (watching && Date.now() < deadline) {
      const timeout = AbortSignal.timeout(deadline - Date.now());
      let heard = false;
      try {
        for await (const event of watchTaskEvents(api, taskId, { lastEventId, signal: timeout })) {
          heard = true;
          lastEventId = event.id;
          if (event.task && seen(event.task)) return event.task;
        }
        // The stream ended: the task settled or was deleted without `until` holding. Polling says which, to the end.
        watching = false;
      } catch (error) {
        if (error instanceof GreenlightError && error.status < 500) throw error;
        lastError = error instanceof Error ? error.message : String(error);
        // A stream that carried events is resumed after the last one; one that never opened is given up for polling.
        watching = heard && !timeout.aborted;
      }
    }

    let etag: string | null = null;
    for (;;) {
      try {
        const fetched: FetchedTask | null = await getTask(taskId, etag);
        lastError = "";
        if (fetched) {
          etag = fetched.etag;
          if (seen(fetched.task)) return fetched.task;
        }
      } catch (error) {
        if (!(error instanceof GreenlightError && error.status >= 500)) throw error;
        lastError = error.message;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const state = last ? `status ${last.status}, callback ${last.callback.state}` : "no task yet";
        throw new WaitTimeout(`Waited ${timeoutMs} ms for task ${taskId} (last seen: ${state}${lastError ? `; ${lastError}` : ""})`, last);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
    }
  }

  /** The task's changes as they happen (GET /v1/tasks/:id/events): see watchTaskEvents. */
  const watchTask = (taskId: string, options?: WatchOptions) => watchTaskEvents(api, taskId, options);

  return { api, upload, getTask, decide, waitForTask, watchTask };
}

function formData(fields: Record<string, string | Blob | undefined>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.set(name, value);
  return form;
}
