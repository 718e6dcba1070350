// Bearer-token auth for API clients (sets clientId) and for reviewer tooling.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { secretsEqual } from "../domain/secure-compare.ts";
import { AppError } from "../errors.ts";

export const bearerToken = (c: Context): string | null => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
  return match?.[1] ?? null;
};

const unauthorized = () => new AppError(401, "unauthorized", "A valid Authorization: Bearer <key> header is required.");

export const clientAuth = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c);
    if (token === null) throw unauthorized();
    // Every key is compared, so the time taken does not reveal which client (if any) matched.
    const matches = await Promise.all(
      Object.entries(c.var.settings.clientKeys).map(async ([clientId, key]) => ((await secretsEqual(token, key)) ? clientId : null)),
    );
    const clientId = matches.find((id) => id !== null);
    if (!clientId) throw unauthorized();
    c.set("clientId", clientId);
    await next();
  });

export const reviewerAuth = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c);
    if (token === null || !(await secretsEqual(token, c.var.settings.reviewerToken))) throw unauthorized();
    await next();
  });
