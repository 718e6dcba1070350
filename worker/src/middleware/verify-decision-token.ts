// Verifies the decision JWT in the Authorization header and exposes its claims.
import type { AppEnv } from "../app-env.ts";
import { DecisionTokenError, verifyDecisionToken } from "../domain/decision-token.ts";
import { AppError, invalidRequest } from "../errors.ts";
import { bearer } from "./auth.ts";

const tokenRequired = () => new AppError(401, "invalid_token", "A decision token is required: Authorization: Bearer <JWT>.");

// A token is never "just wrong" here: each refusal says why, as 401 invalid_token or, for bad claims, 400.
export const verifyDecision = () =>
  bearer<AppEnv>(async (token, c) => {
    try {
      c.set("claims", await verifyDecisionToken(c.var.settings.decisionSecret, token));
      return true;
    } catch (error) {
      if (!(error instanceof DecisionTokenError)) throw error;
      if (error.kind === "invalid_claims") throw invalidRequest(error.message, { issues: error.issues });
      throw new AppError(401, "invalid_token", error.message);
    }
  }, tokenRequired);
