// Reviewer tooling endpoints: list the pending queue, claim tasks to announce, confirm announcements, and hand out and
// confirm the reminders and escalations that came due.
import { createRoute, z } from "@hono/zod-openapi";
import { PageQuerySchema } from "../domain/page-query.ts";
import { DueRequestSchema, DueStageSchema } from "../domain/due-stage.ts";
import { AnnouncementSchema, ClaimRequestSchema, ReviewItemSchema, ReviewStatusSchema } from "../domain/review.ts";
import { StageNameSchema } from "../domain/stages.ts";
import { TASK_ID_PATTERN } from "../domain/task.ts";
import { AppError, taskNotFound } from "../errors.ts";
import { reviewerAuth } from "../middleware/auth.ts";
import { fixedBudget, limitBody } from "../middleware/body-limit.ts";
import { createRouter, errorResponses } from "../router.ts";
import { claimReviews, confirmAnnouncement, listReviews, reviewStatus } from "../services/reviews.ts";
import { confirmStage, dueStages } from "../services/stages.ts";

// The largest valid body, an announcement whose 200-character channel and 100-character messageTs are all
// \u escapes, is under 2 KiB; 4 KiB leaves room for whitespace and still keeps big bodies from JSON.parse.
const JSON_BODY_BYTES = 4 * 1024;

const list = createRoute({
  method: "get",
  path: "/v1/reviews",
  summary: "List pending tasks, oldest first",
  security: [{ reviewer: [] }],
  middleware: [reviewerAuth()] as const,
  request: { query: PageQuerySchema },
  responses: {
    200: {
      description: "A page of pending review items.",
      content: { "application/json": { schema: z.object({ items: z.array(ReviewItemSchema), nextCursor: z.string().nullable() }) } },
    },
    ...errorResponses({ 400: ["invalid_request"], 401: ["unauthorized"], 429: ["too_many_auth_failures"] }),
  },
});

const claim = createRoute({
  method: "post",
  path: "/v1/reviews/claim",
  summary: "Claim pending tasks to announce; each goes to exactly one caller",
  security: [{ reviewer: [] }],
  middleware: [reviewerAuth(), limitBody(fixedBudget(JSON_BODY_BYTES))] as const,
  request: { body: { required: true, content: { "application/json": { schema: ClaimRequestSchema } } } },
  responses: {
    200: { description: "The claimed items.", content: { "application/json": { schema: z.object({ items: z.array(ReviewItemSchema) }) } } },
    ...errorResponses({ 400: ["invalid_request"], 401: ["unauthorized"], 413: ["payload_too_large"], 429: ["too_many_auth_failures"] }),
  },
});

const announce = createRoute({
  method: "post",
  path: "/v1/reviews/{id}/announcement",
  summary: "Confirm that a claimed task was posted for reviewers",
  security: [{ reviewer: [] }],
  middleware: [reviewerAuth(), limitBody(fixedBudget(JSON_BODY_BYTES))] as const,
  request: {
    params: z.object({ id: z.string().meta({ param: { name: "id", in: "path" } }) }),
    body: { required: true, content: { "application/json": { schema: AnnouncementSchema } } },
  },
  responses: {
    204: { description: "Recorded; the task will not be claimed again." },
    ...errorResponses({
      400: ["invalid_request"],
      401: ["unauthorized"],
      404: ["task_not_found"],
      413: ["payload_too_large"],
      429: ["too_many_auth_failures"],
    }),
  },
});

const due = createRoute({
  method: "post",
  path: "/v1/reviews/due",
  summary: "Take reminders and escalations that are due to deliver; each goes to exactly one caller at a time",
  description:
    "Hands out up to `limit` due stages not yet confirmed, oldest first, each leased to this caller for CLAIM_LEASE: another caller gets it only after the lease runs out unconfirmed. A stage of a review that was decided, expired or withdrawn is never handed out.",
  security: [{ reviewer: [] }],
  middleware: [reviewerAuth(), limitBody(fixedBudget(JSON_BODY_BYTES))] as const,
  request: { body: { required: true, content: { "application/json": { schema: DueRequestSchema } } } },
  responses: {
    200: { description: "The leased stages.", content: { "application/json": { schema: z.object({ items: z.array(DueStageSchema) }) } } },
    ...errorResponses({ 400: ["invalid_request"], 401: ["unauthorized"], 413: ["payload_too_large"], 429: ["too_many_auth_failures"] }),
  },
});

const confirm = createRoute({
  method: "post",
  path: "/v1/reviews/{id}/stages/{stage}/confirm",
  summary: "Confirm that a due reminder or escalation was delivered",
  description: "No body. A confirmed stage is never handed out again; confirming it again changes nothing.",
  security: [{ reviewer: [] }],
  middleware: [reviewerAuth()] as const,
  request: {
    params: z.object({
      id: z.string().meta({ param: { name: "id", in: "path" } }),
      stage: StageNameSchema.meta({ param: { name: "stage", in: "path" }, description: "reminder-1 to reminder-3, or escalation." }),
    }),
  },
  responses: {
    204: { description: "Recorded; the stage will not be handed out again." },
    ...errorResponses({
      400: ["invalid_request"],
      401: ["unauthorized"],
      404: ["task_not_found", "stage_not_due (the task's policy has no such stage, or it has not come due)"],
      429: ["too_many_auth_failures"],
    }),
  },
});

const status = createRoute({
  method: "get",
  path: "/v1/reviews/{id}",
  summary: "How a review stands: pending, decided (by whom) or expired, and where it was announced",
  security: [{ reviewer: [] }],
  middleware: [reviewerAuth()] as const,
  request: { params: z.object({ id: z.string().meta({ param: { name: "id", in: "path" } }) }) },
  responses: {
    200: {
      description: "The review's status, from the task's strongly consistent gate.",
      content: { "application/json": { schema: ReviewStatusSchema } },
    },
    ...errorResponses({ 401: ["unauthorized"], 404: ["task_not_found"], 429: ["too_many_auth_failures"] }),
  },
});

export const reviews = createRouter()
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await listReviews(c.env, c.var.settings, new URL(c.req.url).origin, limit, cursor), 200);
  })
  .openapi(status, async (c) => {
    const { id } = c.req.valid("param");
    const review = TASK_ID_PATTERN.test(id) ? await reviewStatus(c.env, id, Date.now()) : null;
    if (!review) throw taskNotFound();
    return c.json(review, 200);
  })
  .openapi(due, async (c) => {
    const { limit } = c.req.valid("json");
    return c.json({ items: await dueStages(c.env, limit, c.var.settings.claimLeaseMs, Date.now()) }, 200);
  })
  .openapi(confirm, async (c) => {
    const { id, stage } = c.req.valid("param");
    const outcome = TASK_ID_PATTERN.test(id) ? await confirmStage(c.env, id, stage, Date.now()) : "not_found";
    if (outcome === "not_found") throw taskNotFound();
    if (outcome === "not_due") {
      throw new AppError(404, "stage_not_due", "This task has no such stage due: its policy has none, or it has not come due.");
    }
    return c.body(null, 204);
  })
  .openapi(claim, async (c) => {
    const { limit } = c.req.valid("json");
    const items = await claimReviews(c.env, c.var.settings, new URL(c.req.url).origin, limit, Date.now());
    return c.json({ items }, 200);
  })
  .openapi(announce, async (c) => {
    const { id } = c.req.valid("param");
    if (!TASK_ID_PATTERN.test(id) || !(await confirmAnnouncement(c.env, id, c.req.valid("json")))) throw taskNotFound();
    return c.body(null, 204);
  });
