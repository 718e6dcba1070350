// Recording a reviewer's decision: the task's gate picks the one winner and, in the same call, arms the alarm that
// starts the workflow, so a decision that answered "decided" always reaches the client's callback.
import { decideAtGate } from "../adapters/decision-gate.ts";
import type { DecisionOutcome, DecisionRequest } from "../domain/decision.ts";

/** Every transport's one way to decide: plain input in, the outcome union out (never an error for a refusal). */
export const decideTask = (env: Env, request: DecisionRequest, now: Date): Promise<DecisionOutcome> =>
  decideAtGate(env, request, now.getTime());
