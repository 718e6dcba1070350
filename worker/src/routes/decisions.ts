// The decision endpoint: a signed JWT from Slack, n8n or any reviewer tool approves or rejects a task.
import { createRoute, z } from "@hono/zod-openapi";
import { ApprovalProgressSchema, type DecisionOutcome } from "../domain/decision.ts";
import { decisionRequestFromClaims } from "../domain/decision-token.ts";
import { DecisionResultSchema } from "../domain/task.ts";
import { AppError, taskNotFound } from "../errors.ts";
import { verifyDecision } from "../middleware/verify-decision-token.ts";
import { createRouter, errorResponses } from "../router.ts";
import { decideTask } from "../services/decide-task.ts";

const decide = createRoute({
  method: "post",
  path: "/v1/decisions",
  summary: "Record a decision; the first rejection or the last approval of the task's quorum decides",
  description:
    "Authorization: Bearer <HS256 JWT> with aud greenlight/decisions, sub = task id, decision, reviewer, optional reason, jti, iat and exp (at most 5 minutes apart). No body. Under a policy of more than one approval, an approval short of the quorum answers 200 with the task still pending and the approvals so far.",
  security: [{ decision: [] }],
  middleware: [verifyDecision()] as const,
  responses: {
    200: {
      description:
        "The decision decided the task, or this is a retry of a token that counted (same jti and the same claims); or (status pending, with the approvals so far) an approval counted towards a quorum not yet reached, once per reviewer.",
      content: { "application/json": { schema: z.union([DecisionResultSchema, ApprovalProgressSchema]) } },
    },
    ...errorResponses({
      400: ["invalid_request"],
      401: ["invalid_token"],
      403: ["reviewer_excluded (the task's policy names this reviewer among those who may not approve it)"],
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
function decisionRefused(outcome: Exclude<DecisionOutcome, { outcome: "decided" | "approval_counted" }>): AppError {
  switch (outcome.outcome) {
    case "excluded":
      return new AppError(
        403,
        "reviewer_excluded",
        "This task's review policy does not let this reviewer approve it; nothing was counted.",
      );
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
  if (outcome.outcome === "decided") return c.json(outcome.result, 200);
  if (outcome.outcome === "approval_counted") return c.json(outcome.progress, 200);
  throw decisionRefused(outcome);
});
