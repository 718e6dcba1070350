// Greenlight's API as the Slack app uses it, through the typed client (@greenlight/client): signed decisions and the
// reviewer endpoints, every answer checked with the Worker's own schemas before the app acts on it.
import { createGreenlightClient, GreenlightError } from "@greenlight/client";
import { z } from "zod";
import { ApprovalProgressSchema, type DecisionOutcome } from "../worker/src/domain/decision.ts";
import { signDecisionToken } from "../worker/src/domain/decision-token.ts";
import { type DueStage, DueStageSchema } from "../worker/src/domain/due-stage.ts";
import { ErrorBodySchema } from "../worker/src/domain/error-body.ts";
import { type ReviewItem, ReviewItemSchema, type ReviewStatus, ReviewStatusSchema } from "../worker/src/domain/review.ts";
import type { StageName } from "../worker/src/domain/stages.ts";
import { DecisionResultSchema, DecisionSchema, type Reviewer } from "../worker/src/domain/task.ts";

export const ISSUER = "slack-app";
const TIMEOUT_MS = 10_000;
const LIST_PAGE = 100;

/**
 * What became of a decision sent to Greenlight: the outcome of its decision use case, read back from the answer
 * (the Worker's own union), or why there was none, and so nothing was recorded: Greenlight refused the request
 * itself (a token it does not accept), or could not be asked (no answer, a 5xx twice, an answer the contract does
 * not allow).
 */
export type DecisionReply =
  | DecisionOutcome
  | { outcome: "refused"; status: number; code: string; message: string }
  | { outcome: "unanswered"; reason: string };

export type DecisionRequest = { taskId: string; decision: "approve" | "reject"; reviewer: Reviewer; reason?: string };

/** The pending queue as far as it was read: `complete` is false when pages remained beyond the limit. */
export type PendingQueue = { items: ReviewItem[]; complete: boolean };

type Answer = { data?: unknown; error?: unknown; response: Response };

const ClaimSchema = z.object({ items: z.array(ReviewItemSchema) });
const DueSchema = z.object({ items: z.array(DueStageSchema) });
const ReviewPageSchema = z.object({ items: z.array(ReviewItemSchema), nextCursor: z.string().nullable() });

export function createWorkerClient(options: { baseUrl: string; decisionSecret: string; reviewerToken: string | null }) {
  // The reviewer token is the client's credential; a decision carries its own token instead.
  const { api } = createGreenlightClient({ baseUrl: options.baseUrl, apiKey: options.reviewerToken ?? "", fetch: send });
  const asReviewer = () => {
    if (options.reviewerToken === null) throw new Error("REVIEWER_TOKEN is not set");
  };

  return {
    /**
     * Signs the decision once and sends it; a network failure or 5xx is sent again with the same token, which the
     * contract makes safe (the same jti answers the same 200).
     */
    async decide(request: DecisionRequest): Promise<DecisionReply> {
      const token = await signDecisionToken(options.decisionSecret, { ...request, issuer: ISSUER });
      let failure = "";
      for (let attempt = 1; attempt <= 2; attempt++) {
        let answer: Answer;
        try {
          answer = await api.POST("/v1/decisions", { headers: { Authorization: `Bearer ${token}` } });
        } catch (error) {
          failure = error instanceof Error ? error.message : String(error);
          continue;
        }
        if (answer.response.status >= 500) {
          failure = `Greenlight answered ${answer.response.status}`;
          continue;
        }
        return readDecisionAnswer(answer);
      }
      return { outcome: "unanswered", reason: failure };
    },

    async claim(limit: number): Promise<ReviewItem[]> {
      asReviewer();
      return checked("POST /v1/reviews/claim", await api.POST("/v1/reviews/claim", { body: { limit } }), ClaimSchema).items;
    },

    /**
     * The pending queue, oldest first, read a page at a time up to `maxPages` pages: the API lists pages, not a count,
     * so a huge queue cannot stall the caller.
     */
    async listPending(maxPages: number): Promise<PendingQueue> {
      asReviewer();
      const items: ReviewItem[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < maxPages; pages++) {
        const page = checked(
          "GET /v1/reviews",
          await api.GET("/v1/reviews", { params: { query: { limit: LIST_PAGE, cursor } } }),
          ReviewPageSchema,
        );
        items.push(...page.items);
        if (page.nextCursor === null) return { items, complete: true };
        cursor = page.nextCursor;
      }
      return { items, complete: false };
    },

    /**
     * How a review stands, from the task's strongly consistent gate: pending, decided (by whom, when, why) or expired.
     * Null when Greenlight has no such task.
     */
    async reviewStatus(taskId: string): Promise<ReviewStatus | null> {
      asReviewer();
      const answer = await api.GET("/v1/reviews/{id}", { params: { path: { id: taskId } } });
      if (answer.response.status === 404 && ErrorBodySchema.safeParse(answer.error).data?.error.code === "task_not_found") return null;
      return checked(`GET /v1/reviews/${taskId}`, answer, ReviewStatusSchema);
    },

    /** Reminders and escalations that came due, each leased to this caller until it confirms them or the lease ends. */
    async dueStages(limit: number): Promise<DueStage[]> {
      asReviewer();
      return checked("POST /v1/reviews/due", await api.POST("/v1/reviews/due", { body: { limit } }), DueSchema).items;
    },

    /** Says a due stage was delivered: Greenlight never hands it out again. */
    async confirmStage(taskId: string, stage: StageName): Promise<void> {
      asReviewer();
      const answer = await api.POST("/v1/reviews/{id}/stages/{stage}/confirm", { params: { path: { id: taskId, stage } } });
      if (answer.response.status !== 204)
        throw new GreenlightError(`POST /v1/reviews/${taskId}/stages/${stage}/confirm`, answer.response, answer.error);
    },

    async announce(taskId: string, announcement: { channel: string; messageTs: string }): Promise<void> {
      asReviewer();
      const answer = await api.POST("/v1/reviews/{id}/announcement", { params: { path: { id: taskId } }, body: announcement });
      if (answer.response.status !== 204)
        throw new GreenlightError(`POST /v1/reviews/${taskId}/announcement`, answer.response, answer.error);
    },
  };
}

export type WorkerClient = ReturnType<typeof createWorkerClient>;

/** A 200 answer's body as the Worker's schema has it; any other status, or a body the contract does not allow, throws. */
function checked<T>(request: string, answer: Answer, schema: z.ZodType<T>): T {
  if (answer.response.status !== 200) throw new GreenlightError(request, answer.response, answer.error);
  const parsed = schema.safeParse(answer.data);
  if (!parsed.success) throw new Error(`${request} answered something the contract does not allow: ${parsed.error.message}`);
  return parsed.data;
}

/** POST /v1/decisions' answer, as the contract writes each outcome (README, API table), back into the union. */
function readDecisionAnswer({ data, error, response }: Answer): DecisionReply {
  const { status } = response;
  if (status === 200) {
    const result = DecisionResultSchema.safeParse(data);
    if (result.success) return { outcome: "decided", result: result.data };
    const progress = ApprovalProgressSchema.safeParse(data);
    if (progress.success) return { outcome: "approval_counted", progress: progress.data };
    return { outcome: "unanswered", reason: "Greenlight's 200 answer is not a decision result" };
  }
  const envelope = ErrorBodySchema.safeParse(error);
  if (!envelope.success) return { outcome: "unanswered", reason: `Greenlight answered ${status} without an error body` };
  const { code, message, details } = envelope.data.error;
  switch (`${status} ${code}`) {
    case "409 already_decided": {
      const decision = DecisionSchema.safeParse(details?.decision);
      return decision.success
        ? { outcome: "already_decided", decision: decision.data }
        : { outcome: "unanswered", reason: "409 already_decided without the winning decision" };
    }
    case "409 review_expired":
      return { outcome: "expired" };
    case "409 review_withdrawn":
      return { outcome: "withdrawn" };
    case "404 task_not_found":
      return { outcome: "not_found" };
    case "403 reviewer_excluded":
      return { outcome: "excluded" };
    default:
      return { outcome: "refused", status, code, message };
  }
}

// Every request: no redirects (a decision token goes to Greenlight only), and an answer within 10 s.
async function send(request: Request): Promise<Response> {
  try {
    return await fetch(request, { redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `no answer from Greenlight at ${new URL(request.url).origin} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
    );
  }
}
