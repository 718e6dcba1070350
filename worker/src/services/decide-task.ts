// Recording a reviewer's decision: the task's gate picks the one winner, then its workflow is woken.
import { decideAtGate } from "../adapters/decision-gate.ts";
import { sendDecisionEvent } from "../adapters/review-workflow.ts";
import { type DecisionClaims, decisionFromClaims } from "../domain/decision-token.ts";
import { type DecisionResult, statusAfter } from "../domain/task.ts";
import { AppError, taskNotFound } from "../errors.ts";

export async function decideTask(env: Env, claims: DecisionClaims, now: Date): Promise<DecisionResult> {
  const taskId = claims.sub;
  const result = await decideAtGate(env, taskId, decisionFromClaims(claims, now), claims.jti, now.getTime());
  switch (result.outcome) {
    case "unknown":
      throw taskNotFound();
    case "expired":
      throw new AppError(409, "review_expired", "The review deadline passed before this decision arrived.");
    case "conflict":
      throw new AppError(409, "already_decided", `${result.decision.reviewer.name} already decided this task.`, {
        decision: result.decision,
      });
    case "won":
    case "replay":
      // A replay sends the event again: if the first attempt failed after the gate recorded the win,
      // this is what wakes the workflow. A second event for a woken instance is ignored.
      await sendDecisionEvent(env.REVIEW_WORKFLOW, taskId);
      return { taskId, status: statusAfter(result.decision), decision: result.decision };
  }
}
