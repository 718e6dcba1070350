// The suite's clients, behaving as real ones do: an upload that got no answer or a 5xx is sent again with the same
// Idempotency-Key until it gets a 2xx or a 4xx; a decision is sent again with the same token. Every 5xx is counted.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type ApprovalProgress, type DecisionResult, GreenlightError, type ReviewItem, type Task } from "@greenlight/client";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";
import { type Credentials, type StackClients, stackClients } from "../lib/greenlight-client.ts";
import type { Stack } from "../lib/stack.ts";
import type { Tally } from "./tally.ts";

export type Uploaded = { taskId: string; key: string; attempts: number; replayed: boolean };

export type Decision = "approve" | "reject";

/** An answer as the suite counts it: its status, what came with a 2xx, and the contract's error otherwise. */
export type Answer<T> = { status: number; value?: T; error?: GreenlightError };

/** Where the clients send: the stack that is up now, awaited while it restarts (a restarted stack has a new port). */
export type Target = { current(): Promise<Stack> };

// Longer than a restart takes; a request that gets no 2xx or 4xx in this time fails the scenario.
const GIVE_UP_MS = 3 * 60_000;
const RETRY_PAUSE_MS = 500;
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
    const options = { contentType: "image/png", callbackUrl: callbackUrl ?? undefined, idempotencyKey: key };
    const answer = await this.untilAnswered("POST /v1/tasks", `the upload with Idempotency-Key ${key}`, (stack) =>
      settled(this.clients(stack).client.upload(image, options), 202),
    );
    if (!answer) return undefined;
    const uploaded = answer.result.value;
    if (!uploaded) {
      this.tally.failures.push(`An upload answered ${answer.result.status}: ${answer.result.error?.message.slice(0, 200)}`);
      return undefined;
    }
    return { taskId: uploaded.task.taskId, key, attempts: answer.attempts, replayed: uploaded.replayed };
  }

  /** Sends the task's decision until it is answered 2xx or 4xx (a 409 included); the answer, or undefined. */
  async decide(taskId: string, decision: Decision): Promise<Answer<DecisionResult | ApprovalProgress> | undefined> {
    const key = `${taskId}:${decision}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = signDecisionToken(this.decisionSecret, {
        taskId,
        decision,
        reviewer: REVIEWER,
        issuer: "faults",
        ...(decision === "reject" ? { reason: "fault suite" } : {}),
      });
      this.tokens.set(key, token);
    }
    const signed = await token;
    return (
      await this.untilAnswered("POST /v1/decisions", `the ${decision} of ${taskId}`, (stack) =>
        settled(this.clients(stack).reviewer.decide(signed), 200),
      )
    )?.result;
  }

  /** One GET /v1/tasks/:id; undefined when nothing answered. */
  async read(taskId: string): Promise<Answer<Task> | undefined> {
    return this.once("GET /v1/tasks/:id", (stack) =>
      settled(
        this.clients(stack)
          .client.getTask(taskId)
          .then(({ task }) => task),
        200,
      ),
    );
  }

  async claim(limit: number): Promise<ReviewItem[]> {
    const answer = await this.once("POST /v1/reviews/claim", (stack) =>
      raw(this.clients(stack).reviewer.api.POST("/v1/reviews/claim", { body: { limit } })),
    );
    return answer?.value?.items ?? [];
  }

  async announce(taskId: string): Promise<boolean> {
    const body = { channel: "CFAULTS", messageTs: (Date.now() / 1000).toFixed(6) };
    const announce = (stack: Stack) =>
      raw(this.clients(stack).reviewer.api.POST("/v1/reviews/{id}/announcement", { params: { path: { id: taskId } }, body }));
    return (await this.once("POST /v1/reviews/:id/announcement", announce))?.status === 204;
  }

  /** Every task GET /v1/reviews lists, page after page; undefined when a page did not come. */
  async pendingIds(): Promise<Set<string> | undefined> {
    const ids = new Set<string>();
    let cursor: string | null = "";
    while (cursor !== null) {
      const after: string = cursor;
      const query = { limit: 100, cursor: after || undefined };
      const page = (
        await this.once("GET /v1/reviews", (stack) => raw(this.clients(stack).reviewer.api.GET("/v1/reviews", { params: { query } })))
      )?.value;
      if (!page) return undefined;
      for (const item of page.items) ids.add(item.taskId);
      cursor = page.nextCursor;
    }
    return ids;
  }

  private clients(stack: Stack): StackClients {
    return stackClients(stack.baseUrl, this.credentials);
  }

  /** One request to the stack that is up now, its 5xx counted; undefined when nothing answered. */
  private async once<T>(what: string, send: (stack: Stack) => Promise<Answer<T>>): Promise<Answer<T> | undefined> {
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

// The client's helpers throw GreenlightError for any status but their own; to the suite that is an answer like any other.
async function settled<T>(call: Promise<T>, status: number): Promise<Answer<T>> {
  try {
    return { status, value: await call };
  } catch (error) {
    if (error instanceof GreenlightError) return { status: error.status, error };
    throw error;
  }
}

// The client's raw typed calls answer {data, response} and never throw for a status.
async function raw<T>(call: Promise<{ data?: T; response: Response }>): Promise<Answer<T>> {
  const { data, response } = await call;
  return { status: response.status, value: data };
}
