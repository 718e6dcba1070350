// The decision endpoint: a signed JWT from Slack, n8n or any reviewer tool approves or rejects a task.
import { createRoute } from "@hono/zod-openapi";
import type { DecisionOutcome } from "../domain/decision.ts";
import { decisionRequestFromClaims } from "../domain/decision-token.ts";
import { DecisionResultSchema } from "../domain/task.ts";
import { AppError, taskNotFound } from "../errors.ts";
import { verifyDecision } from "../middleware/verify-decision-token.ts";
import { createRouter, errorResponses } from "../router.ts";
import { decideTask } from "../services/decide-task.ts";

const decide = createRoute({
  method: "post",
  path: "/v1/decisions",
  summary: "Record a decision; the first valid one for a task wins",
  description:
    "Authorization: Bearer <HS256 JWT> with aud greenlight/decisions, sub = task id, decision, reviewer, optional reason, jti, iat and exp (at most 5 minutes apart). No body.",
  security: [{ decision: [] }],
  middleware: [verifyDecision()] as const,
  responses: {
    200: {
      description: "The decision won, or this is a retry of the winning token (same jti and the same claims).",
      content: { "application/json": { schema: DecisionResultSchema } },
    },
    ...errorResponses({
      400: ["invalid_request"],
      401: ["invalid_token"],
      404: ["task_not_found"],
      409: [
        "already_decided (details.decision is the winner; also the winning jti sent with other claims)",
        "review_expired",
        "review_withdrawn",
      ],
    }),
  },
});

/** The one place a refused decision becomes the contract's status and envelope. */
function decisionRefused(outcome: Exclude<DecisionOutcome, { outcome: "decided" }>): AppError {
  switch (outcome.outcome) {
    case "already_decided":
      return new AppError(409, "already_decided", `${outcome.decision.reviewer.name} already decided this task.`, {
        decision: outcome.decision,
      });
    case "expired":
      return new AppError(409, "review_expired", "The review deadline passed before this decision arrived.");
    case "withdrawn":
      return new AppError(409, "review_withdrawn", "The task was deleted, so its review is closed.");
    case "not_found":
      return taskNotFound();
  }
}

export const decisions = createRouter().openapi(decide, async (c) => {
  const outcome = await decideTask(c.env, decisionRequestFromClaims(c.var.claims), new Date());
  if (outcome.outcome !== "decided") throw decisionRefused(outcome);
  return c.json(outcome.result, 200);
});
