// Client endpoints: upload an image, poll its task, fetch its image back.
import { createRoute, z } from "@hono/zod-openapi";
import { etag } from "hono/etag";
import { TaskSchema } from "../domain/task.ts";
import { IdempotencyKeySchema } from "../domain/upload.ts";
import { AppError, taskNotFound } from "../errors.ts";
import { clientAuth } from "../middleware/auth.ts";
import { uploadLimit } from "../middleware/upload-limit.ts";
import { createRouter, errorResponses, TaskIdParams } from "../router.ts";
import { createTask } from "../services/create-task.ts";
import { deleteTask } from "../services/delete-task.ts";
import { findOwnTask } from "../services/own-task.ts";
import { retryTask } from "../services/retry-task.ts";
import { ownTaskImage } from "../services/task-image.ts";
import { readUpload, UPLOAD_BODY } from "./upload-body.ts";

// New tasks wait for a human, so polling sooner than this only burns requests.
const RETRY_AFTER_SECONDS = 5;
// A retried task is tagged within seconds when the tagger is up.
const RETRY_POLL_SECONDS = 2;

const create = createRoute({
  method: "post",
  path: "/v1/tasks",
  summary: "Upload an image for review",
  security: [{ client: [] }],
  middleware: [clientAuth(), uploadLimit()] as const,
  request: {
    query: z.object({ callbackUrl: z.string().optional().meta({ description: "For raw uploads; multipart sends a field." }) }),
    headers: z.object({
      "idempotency-key": IdempotencyKeySchema.optional(),
      "review-policy": z
        .string()
        .optional()
        .meta({ description: "For raw uploads: the review policy as JSON (multipart sends a policy field)." }),
    }),
    body: UPLOAD_BODY,
  },
  responses: {
    202: { description: "Accepted; the task waits for a reviewer.", content: { "application/json": { schema: TaskSchema } } },
    ...errorResponses({
      400: ["invalid_request"],
      401: ["unauthorized"],
      413: ["payload_too_large"],
      415: ["unsupported_media_type"],
      422: ["invalid_callback_url", "idempotency_key_reused"],
      429: ["too_many_auth_failures"],
    }),
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/tasks/{id}",
  summary: "Poll a task",
  security: [{ client: [] }],
  middleware: [clientAuth(), etag()] as const,
  request: { params: TaskIdParams },
  responses: {
    200: {
      description: "The task; send its ETag back in If-None-Match to get 304 while it is unchanged.",
      content: { "application/json": { schema: TaskSchema } },
    },
    304: { description: "Not modified." },
    ...errorResponses({ 401: ["unauthorized"], 404: ["task_not_found"], 429: ["too_many_auth_failures"] }),
  },
});

const retry = createRoute({
  method: "post",
  path: "/v1/tasks/{id}/retry",
  summary: "Try a failed task's tagging and callback again",
  description:
    "For a task whose tagging gave up (status failed): it goes back to approved, is tagged again and ends completed or failed, with a callback under a new webhook-id (msg_<taskId>_retry<n>). No body.",
  security: [{ client: [] }],
  middleware: [clientAuth()] as const,
  request: { params: TaskIdParams },
  responses: {
    202: {
      description: "Accepted; the task as the retry starts it (approved, retries counted).",
      content: { "application/json": { schema: TaskSchema } },
    },
    ...errorResponses({
      401: ["unauthorized"],
      404: ["task_not_found"],
      409: ["task_not_failed (details.status)"],
      429: ["too_many_auth_failures"],
    }),
  },
});

const image = createRoute({
  method: "get",
  path: "/v1/tasks/{id}/image",
  summary: "Download a task's image",
  security: [{ client: [] }],
  middleware: [clientAuth()] as const,
  request: { params: TaskIdParams },
  responses: {
    200: { description: "The image bytes.", content: { "image/*": { schema: { type: "string", format: "binary" } } } },
    ...errorResponses({ 401: ["unauthorized"], 404: ["task_not_found"], 429: ["too_many_auth_failures"] }),
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/tasks/{id}",
  summary: "Delete a task and everything it left",
  description:
    "A pending task's review closes (later decisions answer 409 review_withdrawn) and no callback is sent; the image, record and queue entries go at once. Afterwards the task answers 404.",
  security: [{ client: [] }],
  middleware: [clientAuth()] as const,
  request: { params: TaskIdParams },
  responses: {
    204: { description: "Deleted." },
    ...errorResponses({ 401: ["unauthorized"], 404: ["task_not_found"], 429: ["too_many_auth_failures"] }),
  },
});

export const tasks = createRouter()
  .openapi(create, async (c) => {
    const upload = await readUpload(c);
    const { record, replayed } = await createTask(c.env, c.var.settings, upload, new Date());
    c.header("Location", record.task.links.self);
    c.header("Retry-After", String(RETRY_AFTER_SECONDS));
    if (replayed) c.header("Idempotent-Replayed", "true");
    return c.json(record.task, 202);
  })
  .openapi(get, async (c) => {
    const record = await findOwnTask(c.env, c.var.clientId, c.req.valid("param").id);
    if (!record) throw taskNotFound();
    c.header("Cache-Control", "private, no-cache");
    return c.json(record.task, 200);
  })
  .openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteTask(c.env, c.var.clientId, id, Date.now()))) throw taskNotFound();
    return c.body(null, 204);
  })
  .openapi(retry, async (c) => {
    const outcome = await retryTask(c.env, c.var.clientId, c.req.valid("param").id, new Date());
    if (outcome.kind === "not_found") throw taskNotFound();
    if (outcome.kind === "not_failed") {
      throw new AppError(409, "task_not_failed", `Only a failed task can be retried; this one is ${outcome.status}.`, {
        status: outcome.status,
      });
    }
    c.header("Location", outcome.task.links.self);
    c.header("Retry-After", String(RETRY_POLL_SECONDS));
    return c.json(outcome.task, 202);
  })
  .openapi(image, async (c) => {
    const found = await ownTaskImage(c.env, c.var.clientId, c.req.valid("param").id);
    if (!found) throw taskNotFound();
    return c.body(found.body, 200, { "Content-Type": found.contentType, "Cache-Control": "private, max-age=3600" });
  });
