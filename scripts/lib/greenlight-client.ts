// A local stack through the typed client package (@greenlight/client), as its API client and as reviewer tooling,
// and the steps the demo, the bench, the fault suite and the end-to-end tests share.
import { createGreenlightClient, type GreenlightClient, GreenlightError, type ReviewItem } from "@greenlight/client";
import { StopWaiting, waitFor } from "./wait.ts";

export type Credentials = { clientKey: string; reviewerToken: string };

/** One stack's API: `client` holds a client key, `reviewer` the reviewer token. */
export type StackClients = { client: GreenlightClient; reviewer: GreenlightClient };

/** Thrown when nothing answers at the base URL, so callers can say how to start the stack; it also ends any wait. */
export class StackUnreachable extends StopWaiting {}

const REQUEST_TIMEOUT_MS = 30_000;

export function stackClients(baseUrl: string, credentials: Credentials): StackClients {
  return {
    client: createGreenlightClient({ baseUrl, apiKey: credentials.clientKey, fetch: fetchOrUnreachable }),
    reviewer: createGreenlightClient({ baseUrl, apiKey: credentials.reviewerToken, fetch: fetchOrUnreachable }),
  };
}

/** GETs a URL with no credentials at all (as Slack fetches a preview) and returns its bytes. */
export async function fetchBytes(url: string): Promise<{ status: number; contentType: string | null; bytes: Uint8Array }> {
  const response = await fetchOrUnreachable(new Request(url));
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    bytes: new Uint8Array(await response.arrayBuffer()),
  };
}

/**
 * Claims until this task is among the claimed items. The queue may hold older pending tasks, which are claimed
 * (and leased for CLAIM_LEASE) along the way; they are returned so a caller can say so.
 */
export async function claimTask(
  reviewer: GreenlightClient,
  taskId: string,
  timeoutMs: number,
): Promise<{ item: ReviewItem; others: ReviewItem[] }> {
  const others: ReviewItem[] = [];
  let lastStatus = 0;
  const item = await waitFor(
    `a claim to hand out ${taskId}`,
    async () => {
      const { data, error, response } = await reviewer.api.POST("/v1/reviews/claim", { body: { limit: 100 } });
      lastStatus = response.status;
      // A 4xx will not change by asking again; a 5xx might be passing, so the wait goes on (and reports it if it lasts).
      if (!data) throw answerError(new GreenlightError("POST /v1/reviews/claim", response, error));
      others.push(...data.items.filter((candidate) => candidate.taskId !== taskId));
      return data.items.find((candidate) => candidate.taskId === taskId);
    },
    { timeoutMs, intervalMs: 500 },
    () => `last claim answered ${lastStatus}, ${others.length} other task(s) claimed`,
  );
  return { item, others };
}

const answerError = (error: GreenlightError) => (error.status < 500 ? new StopWaiting(error.message) : error);

async function fetchOrUnreachable(request: Request): Promise<Response> {
  try {
    return await fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EHOSTUNREACH") {
      throw new StackUnreachable(`Nothing answers at ${new URL(request.url).origin} (${code}).`);
    }
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(`${request.method} ${request.url} failed${cause ? `: ${cause}` : ""}`, { cause: error });
  }
}
