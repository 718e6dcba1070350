// Queue health for reviewer tooling and scrapers: JSON by default, Prometheus's text format when asked.
import { createRoute, z } from "@hono/zod-openapi";
import { accepts } from "hono/accepts";
import { MetricsSchema, PROMETHEUS_CONTENT_TYPE, toPrometheus } from "../domain/metrics.ts";
import { reviewerAuth } from "../middleware/auth.ts";
import { createRouter, errorResponses } from "../router.ts";
import { queueMetrics } from "../services/metrics.ts";

const JSON_TYPE = "application/json";
const TEXT_TYPE = "text/plain";

const read = createRoute({
  method: "get",
  path: "/v1/metrics",
  summary: "Queue health: depth, oldest pending age, decisions per hour, time to decision, missed deadlines, per-reviewer counts",
  security: [{ reviewer: [] }],
  middleware: [reviewerAuth()] as const,
  request: {
    query: z.object({
      format: z
        .enum(["json", "prometheus"])
        .optional()
        .meta({ description: "prometheus: the text exposition format; without it, an Accept header preferring text/plain does the same." }),
    }),
  },
  responses: {
    200: {
      description: "The figures as of now, over the last 24 hours and 7 days.",
      headers: z.object({ Vary: z.string() }),
      content: {
        [JSON_TYPE]: { schema: MetricsSchema },
        [TEXT_TYPE]: { schema: z.string().meta({ description: `Prometheus text exposition format (${PROMETHEUS_CONTENT_TYPE}).` }) },
      },
    },
    ...errorResponses({ 400: ["invalid_request"], 401: ["unauthorized"], 429: ["too_many_auth_failures"] }),
  },
});

export const metrics = createRouter().openapi(read, async (c) => {
  const figures = await queueMetrics(c.env, Date.now());
  // A Prometheus scraper's Accept ranks text/plain above */*; a browser or curl gets JSON.
  const format =
    c.req.valid("query").format ??
    (accepts(c, { header: "Accept", supports: [JSON_TYPE, TEXT_TYPE], default: JSON_TYPE }) === TEXT_TYPE ? "prometheus" : "json");
  c.header("Vary", "Accept");
  if (format === "prometheus") return c.text(toPrometheus(figures), 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE });
  return c.json(figures, 200);
});
