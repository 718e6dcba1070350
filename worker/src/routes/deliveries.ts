// Client endpoints for a task's callback: the log of every delivery attempt, and redelivery of the final event.
import { createRoute, z } from "@hono/zod-openapi";
import { DeliveryAttemptSchema } from "../domain/delivery-attempt.ts";
import { PageQuerySchema } from "../domain/page-query.ts";
import type { RedeliveryOutcome } from "../domain/redelivery.ts";
import { AppError, taskNotFound } from "../errors.ts";
import { clientAuth } from "../middleware/auth.ts";
import { createRouter, errorResponses, TaskIdParams } from "../router.ts";
import { listDeliveries, redeliverCallback } from "../services/deliveries.ts";

const list = createRoute({
  method: "get",
  path: "/v1/tasks/{id}/deliveries",
  summary: "List a task's callback attempts, oldest first",
  security: [{ client: [] }],
  middleware: [clientAuth()] as const,
  request: { params: TaskIdParams, query: PageQuerySchema },
  responses: {
    200: {
      description: "A page of attempts, scheduled and redelivered; send nextCursor back as cursor for the next.",
      content: { "application/json": { schema: z.object({ items: z.array(DeliveryAttemptSchema), nextCursor: z.string().nullable() }) } },
    },
    ...errorResponses({ 400: ["invalid_request"], 401: ["unauthorized"], 404: ["task_not_found"], 429: ["too_many_auth_failures"] }),
  },
});

const redeliver = createRoute({
  method: "post",
  path: "/v1/tasks/{id}/callback/redeliver",
  summary: "Send the task's final event again, once its scheduled delivery has ended",
  description: "Same webhook-id, a fresh webhook-timestamp and signature; the URL is checked against the SSRF rules again. No body.",
  security: [{ client: [] }],
  middleware: [clientAuth()] as const,
  request: { params: TaskIdParams },
  responses: {
    200: {
      description: "The attempt as the delivery log records it, whatever the receiver answered.",
      content: { "application/json": { schema: DeliveryAttemptSchema } },
    },
    ...errorResponses({
      401: ["unauthorized"],
      404: ["task_not_found"],
      409: ["callback_in_progress (details.nextAttemptAt)", "no_callback"],
      429: ["too_many_redeliveries (Retry-After)", "too_many_auth_failures"],
    }),
  },
});

/** Every refusal a redelivery can meet, as the contract's envelope. */
function redeliveryRefused(outcome: Exclude<RedeliveryOutcome, { kind: "sent" }>): AppError {
  switch (outcome.kind) {
    case "not_found":
      return taskNotFound();
    case "no_callback":
      return new AppError(409, "no_callback", "This task has no callback URL, so there is nothing to redeliver.");
    case "in_progress":
      return new AppError(
        409,
        "callback_in_progress",
        "The callback is still on its delivery schedule; redeliver it once it is delivered or failed.",
        {
          nextAttemptAt: outcome.nextAttemptAt,
        },
      );
    case "too_soon":
      return new AppError(
        429,
        "too_many_redeliveries",
        `This task's callback was redelivered too recently. Try again in ${outcome.retryAfterSeconds} seconds.`,
        { retryAfterSeconds: outcome.retryAfterSeconds },
        { "Retry-After": String(outcome.retryAfterSeconds) },
      );
  }
}

export const deliveries = createRouter()
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await listDeliveries(c.env, c.var.clientId, c.req.valid("param").id, limit, cursor);
    if (!page) throw taskNotFound();
    return c.json({ items: page.items, nextCursor: page.cursor }, 200);
  })
  .openapi(redeliver, async (c) => {
    const outcome = await redeliverCallback(c.env, c.var.settings, c.var.clientId, c.req.valid("param").id, new Date());
    if (outcome.kind !== "sent") throw redeliveryRefused(outcome);
    return c.json(outcome.attempt, 200);
  });
