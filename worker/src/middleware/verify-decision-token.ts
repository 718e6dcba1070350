// Verifies the decision JWT in the Authorization header and exposes its claims.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { DecisionTokenError, verifyDecisionToken } from "../domain/decision-token.ts";
import { AppError, invalidRequest } from "../errors.ts";
import { bearerToken } from "./auth.ts";

export const verifyDecision = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c);
    if (token === null) throw new AppError(401, "invalid_token", "A decision token is required: Authorization: Bearer <JWT>.");
    try {
      c.set("claims", await verifyDecisionToken(c.var.settings.decisionSecret, token));
    } catch (error) {
      if (!(error instanceof DecisionTokenError)) throw error;
      if (error.kind === "invalid_claims") throw invalidRequest(error.message, { issues: error.issues });
      throw new AppError(401, "invalid_token", error.message);
    }
    await next();
  });
