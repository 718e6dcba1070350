// Reads and validates the Worker's settings once per request.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { readSettings } from "../config.ts";

export const settings = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set("settings", readSettings(c.env));
    await next();
  });
