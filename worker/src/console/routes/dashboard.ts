// The dashboard page: queue health from the metrics object, read once per page view.
import { Hono } from "hono";
import { queueHistory, queueMetrics } from "../../services/metrics.ts";
import { dashboardView } from "../dashboard-view.ts";
import { shell } from "../layout.ts";
import type { ConsoleEnv } from "../session.ts";

export const dashboard = new Hono<ConsoleEnv>().get("/", async (c) => {
  const now = Date.now();
  const [metrics, history] = await Promise.all([queueMetrics(c.env, now), queueHistory(c.env, now)]);
  return c.html(shell(c, "Dashboard", dashboardView(metrics, history)));
});
