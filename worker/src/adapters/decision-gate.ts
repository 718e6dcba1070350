// The DECISIONS Durable Object namespace: one gate per task, addressed by task id.
import type { TaskEvents } from "../domain/task-events.ts";
import type { DecisionOutcome, DecisionRequest } from "../domain/decision.ts";
import type { ReviewPolicy } from "../domain/policy.ts";
import type { RedeliveryTurn } from "../domain/redelivery.ts";
import type { Announcement } from "../domain/review.ts";
import type { DecisionGate, LeaseOutcome, ReviewState, SettleOutcome, StageConfirmation, StageLease } from "../objects/decision-gate.ts";
import { streamUrl } from "../objects/event-log.ts";

const gate = (env: Env, taskId: string): DurableObjectStub<DecisionGate> => env.DECISIONS.get(env.DECISIONS.idFromName(taskId));

// RPC results are typed as disposable; these wrappers give callers (and Workflow steps) the plain values.
export const openGate = async (env: Env, taskId: string, deadline: number, policy: ReviewPolicy, now: number): Promise<void> => {
  await gate(env, taskId).open(taskId, deadline, policy, now);
};

export const withdrawAtGate = async (env: Env, taskId: string, now: number): Promise<{ finishing: boolean } | null> =>
  gate(env, taskId).withdraw(now);

export const prescreenHeardAtGate = async (env: Env, taskId: string): Promise<boolean> => gate(env, taskId).prescreenHeard();

export const prescreenDoneAtGate = async (env: Env, taskId: string, now: number, events: TaskEvents): Promise<void> => {
  await gate(env, taskId).prescreenDone(now, events);
};

/** Adds what one write of the task's record changed to the event log its gate keeps. */
export async function publishAtGate(env: Env, taskId: string, events: TaskEvents): Promise<void> {
  if (events.drafts.length > 0) await gate(env, taskId).publishEvents(events);
}

/** A socket that receives the task's events as JSON batches, from after `after` or, with null, from its state now. */
export async function subscribeAtGate(env: Env, taskId: string, after: number | null): Promise<WebSocket> {
  const response = await gate(env, taskId).fetch(streamUrl(after), { headers: { upgrade: "websocket" } });
  const socket = response.webSocket;
  if (!socket) throw new Error(`The event log of ${taskId} answered ${response.status} without a WebSocket`);
  socket.accept();
  return socket;
}

export const decideAtGate = async (env: Env, request: DecisionRequest, now: number): Promise<DecisionOutcome> =>
  gate(env, request.taskId).decide(request, now);

export const settleAtGate = async (env: Env, taskId: string): Promise<SettleOutcome> => gate(env, taskId).settle();

export const retryAtGate = async (env: Env, taskId: string, seen: number, now: number): Promise<boolean> =>
  gate(env, taskId).retry(seen, now);

export const leaseAtGate = async (env: Env, taskId: string, now: number, leaseMs: number): Promise<LeaseOutcome> =>
  gate(env, taskId).lease(now, leaseMs);

export const announceAtGate = async (env: Env, taskId: string, announcement: Announcement): Promise<boolean> =>
  gate(env, taskId).announce(announcement);

export const reviewAtGate = async (env: Env, taskId: string, now: number): Promise<ReviewState | null> => gate(env, taskId).review(now);

export const redeliveryTurnAtGate = async (env: Env, taskId: string, now: number, intervalMs: number): Promise<RedeliveryTurn> =>
  gate(env, taskId).redeliveryTurn(now, intervalMs);

export const leaseStageAtGate = async (env: Env, taskId: string, stage: string, now: number, leaseMs: number): Promise<StageLease> =>
  gate(env, taskId).leaseStage(stage, now, leaseMs);

export const confirmStageAtGate = async (env: Env, taskId: string, stage: string, now: number): Promise<StageConfirmation> =>
  gate(env, taskId).confirmStage(stage, now);
