// Recording a reviewer's decision: the task's gate picks the one winner and, in the same call, arms the alarm that
// starts the workflow, so a decision that answered 200 always reaches the client's callback.
import { decideAtGate } from "../adapters/decision-gate.ts";
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
    case "withdrawn":
      throw new AppError(409, "review_withdrawn", "The task was deleted, so its review is closed.");
    case "conflict":
      throw new AppError(409, "already_decided", `${result.decision.reviewer.name} already decided this task.`, {
        decision: result.decision,
      });
    case "won":
    case "replay":
      return { taskId, status: statusAfter(result.decision), decision: result.decision };
  }
}
