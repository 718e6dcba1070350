// Liveness for load balancers and the local stack's readiness wait.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../router.ts";

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness",
  responses: { 200: { description: "Up.", content: { "application/json": { schema: z.object({ ok: z.literal(true) }) } } } },
});

export const health = createRouter().openapi(healthz, (c) => c.json({ ok: true as const }, 200));
