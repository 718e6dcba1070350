// The Worker's HTTP surface: middleware, one router per resource, the OpenAPI document, errors.
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env.ts";
import { ConfigError } from "./config.ts";
import { AppError } from "./errors.ts";
import { mcp } from "./mcp/route.ts";
import { settings } from "./middleware/settings.ts";
import { consoleRoutes } from "./routes/console.ts";
import { decisions } from "./routes/decisions.ts";
import { deliveries } from "./routes/deliveries.ts";
import { health } from "./routes/health.ts";
import { images } from "./routes/images.ts";
import { metrics } from "./routes/metrics.ts";
import { reviews } from "./routes/reviews.ts";
import { taskEvents } from "./routes/task-events.ts";
import { tasks } from "./routes/tasks.ts";
import { wellKnown } from "./routes/well-known.ts";

export const app = new OpenAPIHono<AppEnv>();

app.use(settings());
app.route("/", health);
app.route("/", tasks);
app.route("/", taskEvents);
app.route("/", deliveries);
app.route("/", reviews);
app.route("/", decisions);
app.route("/", images);
app.route("/", metrics);
app.route("/", wellKnown);
app.route("/", mcp);
// The review console: HTML pages with their own sessions, CSRF checks and HTML errors.
app.route("/console", consoleRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "client", {
  type: "http",
  scheme: "bearer",
  description: "An API client key from CLIENT_KEYS.",
});
app.openAPIRegistry.registerComponent("securitySchemes", "reviewer", { type: "http", scheme: "bearer", description: "REVIEWER_TOKEN." });
app.openAPIRegistry.registerComponent("securitySchemes", "decision", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description: "HS256 decision token.",
});
app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: { title: "Greenlight", version: "1.0.0", description: "Asynchronous human review for uploaded images." },
});

app.notFound((c) => c.json(new AppError(404, "not_found", "No such endpoint.").toBody(), 404));

app.onError((error, c) => {
  if (error instanceof AppError) return c.json(error.toBody(), error.status, error.headers);
  // bearerAuth's refusals (middleware/auth.ts) carry the response they were built with, already in our envelope.
  if (error instanceof HTTPException && error.res) return error.getResponse();
  // Hono's own parsers (a malformed JSON body, say) throw HTTPException: still the client's fault, still our envelope.
  if (error instanceof HTTPException && error.status < 500) {
    return c.json(new AppError(400, "invalid_request", error.message || "The request is not valid.").toBody(), 400);
  }
  if (error instanceof ConfigError) {
    // The message names the setting, never its value, so an operator sees the fix even from /healthz.
    console.error(JSON.stringify({ event: "misconfigured", error: error.message }));
    return c.json({ error: { code: "server_misconfigured", message: error.message } }, 500);
  }
  console.error(JSON.stringify({ event: "unhandled_error", path: c.req.path, error: String(error), stack: error.stack }));
  return c.json({ error: { code: "internal_error", message: "Something went wrong on our side." } }, 500);
});
