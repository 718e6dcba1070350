// The Hono environment every route and middleware shares: bindings plus per-request values.
import type { Settings } from "./config.ts";
import type { DecisionClaims } from "./domain/decision-token.ts";

export type AppEnv = {
  Bindings: Env;
  Variables: { settings: Settings; clientId: string; claims: DecisionClaims };
};
