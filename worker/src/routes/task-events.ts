// GET /v1/tasks/:id/events: a task's changes as Server-Sent Events, for clients that would rather watch than poll.
import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { TaskEventDataSchema } from "../domain/task-events.ts";
import { taskNotFound } from "../errors.ts";
import { clientAuth } from "../middleware/auth.ts";
import { createRouter, errorResponses, TaskIdParams } from "../router.ts";
import { findOwnTask } from "../services/own-task.ts";
import { followTask } from "../services/task-events.ts";

// Proxies and load balancers drop a connection that is silent for long; a comment line every 15 s keeps it open.
const HEARTBEAT_MS = 15_000;
// How long an EventSource waits before it reconnects, sending Last-Event-ID.
const RECONNECT_MS = 2000;

const events = createRoute({
  method: "get",
  path: "/v1/tasks/{id}/events",
  summary: "Watch a task live (Server-Sent Events)",
  description:
    "A `state` event with the task as it stands, then one event per change (prescreened, queued, reminded, escalated, decided, expired, retried, tagged, completed, failed, callback.delivered, callback.failed, deleted), each with an id. Reconnecting with Last-Event-ID resumes after that event, with no gap and no repeat. A comment line comes every 15 s; the stream ends once the task is final and its callback settled, or deleted.",
  security: [{ client: [] }],
  middleware: [clientAuth()] as const,
  request: {
    params: TaskIdParams,
    headers: z.object({
      "last-event-id": z
        .string()
        .regex(/^\d{1,15}$/, "Last-Event-ID must be an event id this stream sent.")
        .optional()
        .meta({ description: "The id of the last event received: the stream resumes after it." }),
    }),
  },
  responses: {
    200: {
      description: "The event stream: each event's `data` is a TaskEvent.",
      content: { "text/event-stream": { schema: TaskEventDataSchema } },
    },
    ...errorResponses({ 400: ["invalid_request"], 401: ["unauthorized"], 404: ["task_not_found"], 429: ["too_many_auth_failures"] }),
  },
});

export const taskEvents = createRouter().openapi(events, async (c) => {
  const record = await findOwnTask(c.env, c.var.clientId, c.req.valid("param").id);
  if (!record) throw taskNotFound();
  const lastEventId = c.req.valid("header")["last-event-id"];
  const env = c.env;
  return streamSSE(c, async (stream) => {
    const stopped = new AbortController();
    stream.onAbort(() => stopped.abort());
    const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n").catch(() => stopped.abort()), HEARTBEAT_MS);
    try {
      let first = true;
      for await (const event of followTask(env, record.task, lastEventId === undefined ? null : Number(lastEventId), stopped.signal)) {
        const { id, ...data } = event;
        await stream.writeSSE({ id: String(id), event: data.type, data: JSON.stringify(data), ...(first && { retry: RECONNECT_MS }) });
        first = false;
      }
    } finally {
      clearInterval(heartbeat);
    }
  });
});
