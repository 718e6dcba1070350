// The suite's clients, behaving as real ones do: an upload that got no answer or a 5xx is sent again with the same
// Idempotency-Key until it gets a 2xx or a 4xx; a decision is sent again with the same token. Every 5xx is counted.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";
import { type Credentials, type GreenlightClient, greenlightClient, type HttpResult, type ReviewItem, type Task } from "../lib/greenlight-client.ts";
import type { Stack } from "../lib/stack.ts";
import type { Tally } from "./tally.ts";

export type Uploaded = { taskId: string; key: string; attempts: number; replayed: boolean };

export type Decision = "approve" | "reject";

type ReviewPage = { items: ReviewItem[]; nextCursor: string | null };

/** Where the clients send: the stack that is up now, awaited while it restarts (a restarted stack has a new port). */
export type Target = { current(): Promise<Stack> };

// Longer than a restart takes; a request that gets no 2xx or 4xx in this time fails the scenario.
const GIVE_UP_MS = 3 * 60_000;
const RETRY_PAUSE_MS = 500;
const REQUEST_TIMEOUT_MS = 30_000;
const REVIEWER = { id: "UFAULTS", name: "Fault Suite" };

export class Traffic {
  private readonly target: Target;
  private readonly tally: Tally;
  private readonly credentials: Credentials;
  private readonly decisionSecret: string;
  // A retried decision is the same token again, as a reviewer tool resends it; a new jti would be another decision.
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(target: Target, tally: Tally, credentials: Credentials, decisionSecret: string) {
    this.target = target;
    this.tally = tally;
    this.credentials = credentials;
    this.decisionSecret = decisionSecret;
  }

  /** Uploads a PNG (raw body) until it is answered 2xx or 4xx; undefined, with a failure counted, when it never was. */
  async upload(image: Uint8Array, callbackUrl: string | null, key: string = randomUUID()): Promise<Uploaded | undefined> {
    const query = callbackUrl ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : "";
    const answer = await this.untilAnswered("POST /v1/tasks", `the upload with Idempotency-Key ${key}`, async (stack) => {
      const response = await fetch(`${stack.baseUrl}/v1/tasks${query}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${this.credentials.clientKey}`, "Content-Type": "image/png", "Idempotency-Key": key },
        body: image as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    });
    if (!answer) return undefined;
    if (answer.result.status !== 202) {
      this.tally.failures.push(`An upload answered ${answer.result.status}: ${answer.result.text.slice(0, 200)}`);
      return undefined;
    }
    const { taskId } = JSON.parse(answer.result.text) as Task;
    return { taskId, key, attempts: answer.attempts, replayed: answer.result.headers.get("idempotent-replayed") === "true" };
  }

  /** Sends the task's decision until it is answered 2xx or 4xx (a 409 included); the answer, or undefined. */
  async decide(taskId: string, decision: Decision): Promise<HttpResult | undefined> {
    const key = `${taskId}:${decision}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = signDecisionToken(this.decisionSecret, { taskId, decision, reviewer: REVIEWER, issuer: "faults", ...(decision === "reject" ? { reason: "fault suite" } : {}) });
      this.tokens.set(key, token);
    }
    const signed = await token;
    return (await this.untilAnswered("POST /v1/decisions", `the ${decision} of ${taskId}`, async (stack) => this.api(stack).decide(signed)))?.result;
  }

  /** One GET /v1/tasks/:id; undefined when nothing answered. */
  async read(taskId: string): Promise<HttpResult<Task> | undefined> {
    return this.once("GET /v1/tasks/:id", (stack) => this.api(stack).getTask(taskId));
  }

  async claim(limit: number): Promise<ReviewItem[]> {
    const answer = await this.once("POST /v1/reviews/claim", (stack) => this.api(stack).claim(limit));
    return answer?.status === 200 ? answer.body.items : [];
  }

  async announce(taskId: string): Promise<boolean> {
    const announcement = { channel: "CFAULTS", messageTs: (Date.now() / 1000).toFixed(6) };
    return (await this.once("POST /v1/reviews/:id/announcement", (stack) => this.api(stack).announce(taskId, announcement)))?.status === 204;
  }

  /** Every task GET /v1/reviews lists, page after page; undefined when a page did not come. */
  async pendingIds(): Promise<Set<string> | undefined> {
    const ids = new Set<string>();
    let cursor: string | null = "";
    while (cursor !== null) {
      const after: string = cursor;
      const page = await this.once("GET /v1/reviews", (stack) => this.reviewsPage(stack, after));
      if (page?.status !== 200) return undefined;
      for (const item of page.body.items) ids.add(item.taskId);
      cursor = page.body.nextCursor;
    }
    return ids;
  }

  private api(stack: Stack): GreenlightClient {
    return greenlightClient(stack.baseUrl, this.credentials);
  }

  // The shared client's listReviews takes no cursor, and the pages after the first need one.
  private async reviewsPage(stack: Stack, cursor: string): Promise<HttpResult<ReviewPage>> {
    const response = await fetch(`${stack.baseUrl}/v1/reviews?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
      headers: { Authorization: `Bearer ${this.credentials.reviewerToken}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (response.ok ? JSON.parse(text) : { items: [], nextCursor: null }) as ReviewPage, text };
  }

  /** One request to the stack that is up now, its 5xx counted; undefined when nothing answered. */
  private async once<T>(what: string, send: (stack: Stack) => Promise<HttpResult<T>>): Promise<HttpResult<T> | undefined> {
    try {
      const result = await send(await this.target.current());
      this.tally.answered(what, result.status);
      return result;
    } catch {
      return undefined;
    }
  }

  /** Sends until a 2xx or 4xx comes, to whichever stack is up at each attempt; undefined (a failure) after GIVE_UP_MS. */
  private async untilAnswered<T extends { status: number }>(
    what: string,
    about: string,
    send: (stack: Stack) => Promise<T>,
  ): Promise<{ result: T; attempts: number } | undefined> {
    const giveUpAt = Date.now() + GIVE_UP_MS;
    let last = "no answer";
    for (let attempts = 1; ; attempts++) {
      try {
        const result = await send(await this.target.current());
        this.tally.answered(what, result.status);
        if (result.status < 500) return { result, attempts };
        last = `answered ${result.status}`;
      } catch (error) {
        // The stack went down under the request (a kill), or is down: the next attempt waits for it.
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() >= giveUpAt) {
        this.tally.failures.push(`${what}, ${about}, got no 2xx or 4xx in ${GIVE_UP_MS / 60_000} minutes (last: ${last})`);
        return undefined;
      }
      await sleep(RETRY_PAUSE_MS);
    }
  }
}
