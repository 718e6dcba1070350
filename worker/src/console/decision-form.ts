// A task page's decision form, read into the plain DecisionRequest that deciding takes.
import type { ConsoleSession } from "../services/console-sessions.ts";
import type { DecisionRequest } from "../domain/decision.ts";
import { MAX_REASON_LENGTH } from "../domain/task.ts";

export type DecisionForm = { ok: true; request: DecisionRequest } | { ok: false; problem: string };

// The page renders a fresh random UUID into its forms (see task-view.ts).
const DECISION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The decision id comes from the page, not the post: sending the same form again (a double click, Back and resubmit)
 * is the same decision, which the gate answers as a replay, not as a second decision in conflict with the first.
 */
export function readDecisionForm(taskId: string, session: ConsoleSession, form: Record<string, unknown>): DecisionForm {
  const { decision, decisionId } = form;
  const reason = typeof form.reason === "string" ? form.reason.trim() : "";
  if (decision !== "approve" && decision !== "reject") return { ok: false, problem: "Choose Approve or Reject." };
  if (decision === "reject" && (reason.length === 0 || reason.length > MAX_REASON_LENGTH)) {
    return { ok: false, problem: `A rejection needs a reason of 1 to ${MAX_REASON_LENGTH} characters.` };
  }
  if (typeof decisionId !== "string" || !DECISION_ID.test(decisionId)) {
    return { ok: false, problem: "That form was not sent from this page: decide again below." };
  }
  return {
    ok: true,
    request: {
      taskId,
      decision,
      reviewer: { id: `console:${session.sid}`, name: session.name },
      reason: decision === "reject" ? reason : null,
      via: "console",
      decisionId,
    },
  };
}
