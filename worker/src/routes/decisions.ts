// The decision endpoint: a signed JWT from Slack, n8n or the console approves or rejects a task.
import { createRoute } from "@hono/zod-openapi";
import { DecisionResultSchema } from "../domain/task.ts";
import { verifyDecision } from "../middleware/verify-decision-token.ts";
import { createRouter, errorResponses } from "../router.ts";
import { decideTask } from "../services/decide-task.ts";

const decide = createRoute({
  method: "post",
  path: "/v1/decisions",
  summary: "Record a decision; the first valid one for a task wins",
  description: "Authorization: Bearer <HS256 JWT> with aud greenlight/decisions, sub = task id, decision, reviewer, optional reason, jti, iat and exp (at most 5 minutes apart). No body.",
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
      409: ["already_decided (details.decision is the winner; also the winning jti sent with other claims)", "review_expired"],
    }),
  },
});

export const decisions = createRouter().openapi(decide, async (c) => c.json(await decideTask(c.env, c.var.claims, new Date()), 200));
