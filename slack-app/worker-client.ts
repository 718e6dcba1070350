// Greenlight's API as the Slack app uses it: signed decisions and the reviewer endpoints, answers checked with its own schemas.
import { z } from "zod";
import { signDecisionToken } from "../worker/src/domain/decision-token.ts";
import { type ReviewItem, ReviewItemSchema, type ReviewStatus, ReviewStatusSchema } from "../worker/src/domain/review.ts";
import { ErrorBodySchema } from "../worker/src/domain/error-body.ts";
import { type Decision, type DecisionResult, DecisionResultSchema, DecisionSchema, type Reviewer } from "../worker/src/domain/task.ts";

export const ISSUER = "slack-app";
const TIMEOUT_MS = 10_000;


/** What became of a decision: every answer the contract allows, plus "failed" when Greenlight could not be asked. */
export type DecideOutcome =
  | { kind: "decided"; result: DecisionResult }
  | { kind: "already_decided"; winner: Decision }
  | { kind: "expired" }
  | { kind: "not_found" }
  | { kind: "refused"; status: number; code: string; message: string }
  | { kind: "failed"; message: string };

export type DecisionRequest = { taskId: string; decision: "approve" | "reject"; reviewer: Reviewer; reason?: string };

export type ReviewPage = { items: ReviewItem[]; nextCursor: string | null };

export class GreenlightError extends Error {}

export function createWorkerClient(options: { baseUrl: string; decisionSecret: string; reviewerToken: string | null }) {
  const url = (path: string) => new URL(path, options.baseUrl).toString();
  const reviewer = () => {
    if (options.reviewerToken === null) throw new GreenlightError("REVIEWER_TOKEN is not set");
    return { Authorization: `Bearer ${options.reviewerToken}` };
  };

  async function reviewerJson<T>(path: string, init: RequestInit, schema: z.ZodType<T>): Promise<T>;
  async function reviewerJson<T>(path: string, init: RequestInit, schema: z.ZodType<T>, options: { notFound: "null" }): Promise<T | null>;
  async function reviewerJson<T>(path: string, init: RequestInit, schema: z.ZodType<T>, options?: { notFound: "null" }): Promise<T | null> {
    const response = await send(url(path), { ...init, headers: { ...reviewer(), ...(init.body ? { "Content-Type": "application/json" } : {}) } });
    const text = await response.text();
    if (response.status === 404 && options?.notFound === "null" && ErrorBodySchema.safeParse(safeJson(text)).data?.error.code === "task_not_found") return null;
    if (response.status !== 200) throw new GreenlightError(`${init.method ?? "GET"} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    const parsed = schema.safeParse(safeJson(text));
    if (!parsed.success) throw new GreenlightError(`${init.method ?? "GET"} ${path} answered something the contract does not allow: ${parsed.error.message}`);
    return parsed.data;
  }

  return {
    /**
     * Signs the decision once and sends it; a network failure or 5xx is sent again with the same token, which the
     * contract makes safe (the same jti answers the same 200).
     */
    async decide(request: DecisionRequest): Promise<DecideOutcome> {
      const token = await signDecisionToken(options.decisionSecret, { ...request, issuer: ISSUER });
      let failure = "";
      for (let attempt = 1; attempt <= 2; attempt++) {
        let response: Response;
        try {
          response = await send(url("/v1/decisions"), { method: "POST", headers: { Authorization: `Bearer ${token}` } });
        } catch (error) {
          failure = error instanceof Error ? error.message : String(error);
          continue;
        }
        if (response.status >= 500) {
          failure = `Greenlight answered ${response.status}`;
          await response.body?.cancel();
          continue;
        }
        return readDecisionAnswer(response.status, await response.text());
      }
      return { kind: "failed", message: failure };
    },

    claim: (limit: number) =>
      reviewerJson("/v1/reviews/claim", { method: "POST", body: JSON.stringify({ limit }) }, z.object({ items: z.array(ReviewItemSchema) })).then((body) => body.items),

    listPending: (limit: number, cursor?: string | null): Promise<ReviewPage> =>
      reviewerJson(
        `/v1/reviews?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        {},
        z.object({ items: z.array(ReviewItemSchema), nextCursor: z.string().nullable() }),
      ),

    /**
     * How a review stands, from the task's strongly consistent gate: pending, decided (by whom, when, why) or expired.
     * Null when Greenlight has no such task.
     */
    reviewStatus: (taskId: string): Promise<ReviewStatus | null> =>
      reviewerJson(`/v1/reviews/${encodeURIComponent(taskId)}`, {}, ReviewStatusSchema, { notFound: "null" }),

    async announce(taskId: string, announcement: { channel: string; messageTs: string }): Promise<void> {
      const response = await send(url(`/v1/reviews/${encodeURIComponent(taskId)}/announcement`), {
        method: "POST",
        headers: { ...reviewer(), "Content-Type": "application/json" },
        body: JSON.stringify(announcement),
      });
      const text = await response.text();
      if (response.status !== 204) throw new GreenlightError(`POST /v1/reviews/${taskId}/announcement answered ${response.status}: ${text.slice(0, 300)}`);
    },
  };
}

export type WorkerClient = ReturnType<typeof createWorkerClient>;

function readDecisionAnswer(status: number, text: string): DecideOutcome {
  const body = safeJson(text);
  if (status === 200) {
    const parsed = DecisionResultSchema.safeParse(body);
    return parsed.success ? { kind: "decided", result: parsed.data } : { kind: "failed", message: "Greenlight's 200 answer is not a decision result" };
  }
  const error = ErrorBodySchema.safeParse(body);
  if (!error.success) return { kind: "failed", message: `Greenlight answered ${status} without an error body` };
  const { code, message, details } = error.data.error;
  if (status === 409 && code === "already_decided") {
    const winner = DecisionSchema.safeParse(details?.decision);
    return winner.success ? { kind: "already_decided", winner: winner.data } : { kind: "failed", message: "409 already_decided without the winning decision" };
  }
  if (status === 409 && code === "review_expired") return { kind: "expired" };
  if (status === 404) return { kind: "not_found" };
  return { kind: "refused", status, code, message };
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new GreenlightError(`no answer from Greenlight at ${new URL(url).origin} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
