// Usage: npm run sign-decision -- <taskId> approve|reject [--reason "text"] [--reviewer-id U123] [--reviewer-name "Ada"]
// Prints a decision token for POST /v1/decisions, signed with DECISION_SIGNING_SECRET (env, .dev.vars or the dev default).
import { parseArgs } from "node:util";
import { signDecisionToken } from "../worker/src/domain/decision-token.ts";
import { setting } from "./lib/dev-vars.ts";

const usage = 'usage: npm run sign-decision -- <taskId> approve|reject [--reason "text"] [--reviewer-id ID] [--reviewer-name NAME]';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    reason: { type: "string" },
    "reviewer-id": { type: "string", default: "cli" },
    "reviewer-name": { type: "string", default: process.env.USER ?? "cli" },
  },
});
const [taskId, decision] = positionals;
if (!taskId || (decision !== "approve" && decision !== "reject")) {
  console.error(usage);
  process.exit(2);
}

const token = await signDecisionToken(setting("DECISION_SIGNING_SECRET"), {
  taskId,
  decision,
  reviewer: { id: values["reviewer-id"], name: values["reviewer-name"] },
  reason: values.reason,
  issuer: "cli",
});
console.log(token);
