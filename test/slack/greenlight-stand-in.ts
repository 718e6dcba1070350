// A stand-in for Greenlight on a loopback port, for Slack tests where the real Worker is not the point. It refuses what
// the Worker refuses first (a wrong reviewer token; a decision token the real verifier rejects) and answers the rest
// as the contract writes it: a pending task is judged by the Worker's own quorum rule under its policy (by default the
// first decision wins), the deciding token again gets the same 200, any other gets 409 already_decided naming the
// winner; an expired or withdrawn task gets its 409, an unknown one 404.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { type Ballot, publicApproval, tallyDecision } from "../../worker/src/domain/decision.ts";
import { type DecisionClaims, decisionRequestFromClaims, verifyDecisionToken } from "../../worker/src/domain/decision-token.ts";
import type { ErrorBody } from "../../worker/src/domain/error-body.ts";
import type { DueStage } from "../../worker/src/domain/due-stage.ts";
import { DEFAULT_POLICY, type ReviewPolicy } from "../../worker/src/domain/policy.ts";
import { type ReviewItem, ReviewItemSchema, type ReviewStatus } from "../../worker/src/domain/review.ts";
import { stageName } from "../../worker/src/domain/stages.ts";
import { type Decision, statusAfter } from "../../worker/src/domain/task.ts";

export type StandInTask =
  | { state: "pending"; policy?: ReviewPolicy; ballots?: Ballot[] }
  | { state: "decided"; decision: Decision; jti: string }
  | { state: "expired" }
  | { state: "withdrawn" };

export type GreenlightStandIn = {
  url: string;
  /** Every request, as "METHOD /path?query", in order. */
  requests: string[];
  /** The bearer token of every POST /v1/decisions, in order, failed ones included. */
  decisionTokens: string[];
  /** The claims of every decision whose token it accepted, in order. */
  decisions: DecisionClaims[];
  /** Each task's review; a task not here is unknown (404 task_not_found). */
  tasks: Map<string, StandInTask>;
  /** What GET /v1/reviews lists, oldest first, `limit` a page. */
  pending: ReviewItem[];
  /** What GET /v1/reviews/:id answers: the review, or a failure's HTTP status; a task not here is unknown. */
  reviews: Map<string, ReviewStatus | { failWith: number }>;
  /** Announcements received, by task. */
  announcements: Map<string, unknown>;
  /** What POST /v1/reviews/due hands out: each stage, on every call, until it is confirmed. */
  due: DueStage[];
  /** Stage confirmations taken, as "<taskId>/<stage>", in order. */
  confirmedStages: string[];
  /** The next this many stage confirmations are answered 503, as a Worker that fails does. */
  failConfirms: number;
  /** The next this many requests are answered 503 before anything reads them, as a Worker that fails does. */
  failNext: number;
  close(): Promise<void>;
};

export async function startGreenlightStandIn(options: { decisionSecret: string; reviewerToken: string }): Promise<GreenlightStandIn> {
  const standIn: Omit<GreenlightStandIn, "url" | "close"> = {
    requests: [],
    decisionTokens: [],
    decisions: [],
    tasks: new Map(),
    pending: [],
    reviews: new Map(),
    announcements: new Map(),
    due: [],
    confirmedStages: [],
    failConfirms: 0,
    failNext: 0,
  };

  async function answer(request: IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const url = new URL(request.url ?? "/", "http://stand-in");
    const route = `${request.method} ${url.pathname}`;
    standIn.requests.push(`${route}${url.search}`);
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
    if (route === "POST /v1/decisions") standIn.decisionTokens.push(bearer);
    if (standIn.failNext > 0) {
      standIn.failNext--;
      return { status: 503, body: error("internal_error", "The stand-in was told to fail.") };
    }
    if (route === "POST /v1/decisions") return decide(bearer);
    if (bearer !== options.reviewerToken) return { status: 401, body: error("unauthorized", "A valid reviewer token is required.") };

    if (route === "GET /v1/reviews") {
      const limit = Number(url.searchParams.get("limit"));
      const from = Number(url.searchParams.get("cursor") ?? 0);
      const items = standIn.pending.slice(from, from + limit);
      return { status: 200, body: { items, nextCursor: from + limit < standIn.pending.length ? String(from + limit) : null } };
    }
    if (route === "POST /v1/reviews/claim") return { status: 200, body: { items: [] } };
    if (route === "POST /v1/reviews/due") {
      const { limit } = JSON.parse(await readBody(request)) as { limit: number };
      const unconfirmed = standIn.due.filter((due) => !standIn.confirmedStages.includes(`${due.taskId}/${stageName(due)}`));
      return { status: 200, body: { items: unconfirmed.slice(0, limit) } };
    }
    const [, stageTask, stage] = /^\/v1\/reviews\/([^/]+)\/stages\/([^/]+)\/confirm$/.exec(url.pathname) ?? [];
    if (stageTask && stage && request.method === "POST") {
      if (standIn.failConfirms > 0) {
        standIn.failConfirms--;
        return { status: 503, body: error("internal_error", "The stand-in was told to fail.") };
      }
      if (!standIn.confirmedStages.includes(`${stageTask}/${stage}`)) standIn.confirmedStages.push(`${stageTask}/${stage}`);
      return { status: 204 };
    }
    const [, taskId, announcement] = /^\/v1\/reviews\/([^/]+)(\/announcement)?$/.exec(url.pathname) ?? [];
    if (taskId && request.method === "GET" && !announcement) {
      const review = standIn.reviews.get(taskId);
      if (review === undefined) return notFound();
      return "failWith" in review
        ? { status: review.failWith, body: error("internal_error", "The stand-in was told to fail.") }
        : { status: 200, body: review };
    }
    if (taskId && request.method === "POST" && announcement) {
      standIn.announcements.set(taskId, JSON.parse(await readBody(request)));
      return { status: 204 };
    }
    return { status: 404, body: error("not_found", `No route for ${route}.`) };
  }

  async function decide(token: string): Promise<{ status: number; body: unknown }> {
    let claims: DecisionClaims;
    try {
      claims = await verifyDecisionToken(options.decisionSecret, token);
    } catch (failure) {
      return { status: 401, body: error("invalid_token", (failure as Error).message) };
    }
    standIn.decisions.push(claims);
    const task = standIn.tasks.get(claims.sub);
    switch (task?.state) {
      case undefined:
        return notFound();
      case "expired":
        return { status: 409, body: error("review_expired", "The review deadline passed before this decision arrived.") };
      case "withdrawn":
        return { status: 409, body: error("review_withdrawn", "The task was deleted, so its review is closed.") };
      case "decided":
        if (task.jti === claims.jti)
          return { status: 200, body: { taskId: claims.sub, status: statusAfter(task.decision), decision: task.decision } };
        return {
          status: 409,
          body: error("already_decided", `${task.decision.reviewer.name} already decided this task.`, { decision: task.decision }),
        };
      case "pending": {
        const policy = task.policy ?? DEFAULT_POLICY;
        const tally = tallyDecision(policy, task.ballots ?? [], decisionRequestFromClaims(claims), claims.jti, new Date());
        if (tally.kind === "excluded") {
          return { status: 403, body: error("reviewer_excluded", "This task's review policy does not let this reviewer approve it.") };
        }
        if (tally.kind === "counted") {
          standIn.tasks.set(claims.sub, { ...task, ballots: tally.ballots });
          const approvals = tally.ballots.map(publicApproval);
          return {
            status: 200,
            body: { taskId: claims.sub, status: "pending", approvals, approvalsRequired: policy.approvalsRequired },
          };
        }
        standIn.tasks.set(claims.sub, { state: "decided", decision: tally.decision, jti: claims.jti });
        return { status: 200, body: { taskId: claims.sub, status: statusAfter(tally.decision), decision: tally.decision } };
      }
    }
  }

  const server = createServer(async (request, response) => {
    const { status, body } = await answer(request);
    if (body === undefined) response.writeHead(status).end();
    else response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** A pending review as GET /v1/reviews lists it, its deadline `deadlineInMs` from now. */
export const reviewItem = (taskId: string, deadlineInMs = 60 * 60 * 1000, metadata: Record<string, unknown> = {}): ReviewItem =>
  ReviewItemSchema.parse({
    taskId,
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    reviewDeadline: new Date(Date.now() + deadlineInMs).toISOString(),
    client: "demo",
    metadata,
    image: {
      contentType: "image/png",
      bytes: 2048,
      width: 640,
      height: 480,
      previewUrl: `https://greenlight.example/v1/images/${taskId}?expires=1&sig=abc`,
    },
    prescreen: null,
    approvals: [],
    approvalsRequired: 1,
    stages: [],
  });

/** A fresh task id, as Greenlight makes them. */
export const newTaskId = () => `tsk_${crypto.randomUUID().replaceAll("-", "")}`;

const error = (code: string, message: string, details?: Record<string, unknown>): ErrorBody => ({
  error: { code, message, ...(details ? { details } : {}) },
});
const notFound = () => ({ status: 404, body: error("task_not_found", "No such task.") });

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
