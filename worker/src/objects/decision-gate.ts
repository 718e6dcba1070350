// One per task: the strongly consistent judge of its claim lease, its decision (quorum included), its deadline and its
// reminder and escalation stages (each recorded due once, then leased to one deliverer at a time), and the alarm that
// makes the stages due and finishes the review: it starts the task's workflow once the review has ended and looks
// after it until it ends, and chases a lost pre-screen.
import { DurableObject } from "cloudflare:workers";
import { requestPrescreen } from "../adapters/prescreen-queue.ts";
import { restartReview, startReview, tendReview } from "../adapters/review-workflow.ts";
import { indexDueStage } from "../adapters/task-store.ts";
import {
  type Ballot,
  decided,
  deadlineRejection,
  decisionFingerprint,
  type DecisionOutcome,
  type DecisionRequest,
  publicApproval,
  tallyDecision,
} from "../domain/decision.ts";
import { type Approval, DEFAULT_POLICY, type ReviewPolicy } from "../domain/policy.ts";
import type { RedeliveryTurn } from "../domain/redelivery.ts";
import type { Announcement } from "../domain/review.ts";
import { publicStage, type ReviewStage, type Stage, scheduleStages, stageName } from "../domain/stages.ts";
import { stageEvent, type TaskEvents } from "../domain/task-events.ts";
import type { Decision } from "../domain/task.ts";
import { EventLog } from "./event-log.ts";

type Review = {
  taskId: string;
  deadline: number;
  leasedUntil: number;
  announcement: Announcement | null;
  /** The pre-screen is stored and the task is queued for reviewers; until then nothing may write its record but that. */
  prescreened: boolean;
  /** How often the alarm has asked for the pre-screen again (absent in gates opened before it was counted). */
  prescreenChases?: number;
  /** The workflow that records the outcome, tags and calls back has been started. */
  finishing: boolean;
  /** Retries of the work granted to the client of a failed task (absent until the first): each restarts the workflow. */
  retries?: number;
  /** How often the alarm has looked after the started workflow (absent in gates started before it did). */
  watches?: number;
  /** How the task is reviewed (absent in gates opened before policies: DEFAULT_POLICY). */
  policy?: ReviewPolicy;
  /** The approvals counted so far, one per reviewer, in order (absent until the first). */
  ballots?: Ballot[];
  /** The policy's reminders and escalation, in the order they come due (absent in gates opened before stages). */
  stages?: Stage[];
};

/**
 * A decided gate carries its winner and the fingerprint of the request that decided (decisionFingerprint); the
 * deadline's own rejection has DEADLINE_FINGERPRINT, which no request's fingerprint (a JSON array) can equal.
 */
type GateState = Review & ({ state: "pending" | "expired" } | { state: "decided"; decision: Decision; fingerprint: string });

// A pre-screen normally lands within seconds, and the queue's own retries are over within a minute; one still missing
// after this was lost (a queue that dropped it, a crash before the send), so the alarm asks for it again. Each later
// ask waits twice as long, up to an hour: behind a deep queue the job is only late, and every repeat would lengthen
// the queue that delays it (a backlog of 10,000 on the local stack drains in about 7 minutes).
const PRESCREEN_GRACE_MS = 5 * 60 * 1000;
const MAX_PRESCREEN_GRACE_MS = 60 * 60 * 1000;
// A workflow that could not be started (the binding refused, a limit), or a due stage that could not be indexed, is
// tried again this much later, for ever.
const START_RETRY_MS = 30 * 1000;
// A started workflow is looked after until it ends, first after a minute, then twice as long each time up to an
// hour: most end within the first minute, and one whose callback is retried for a day is looked at about 30 times.
const WATCH_FIRST_MS = 60 * 1000;
const WATCH_MAX_MS = 60 * 60 * 1000;

export type ReviewState = {
  state: "pending" | "decided" | "expired";
  deadline: number;
  decision: Decision | null;
  announcement: Announcement | null;
  approvals: Approval[];
  approvalsRequired: number;
  /** The stages recorded as due so far, confirmed or not. */
  stages: ReviewStage[];
};

export type StageLease =
  | { outcome: "leased"; stage: Stage; announcement: Announcement | null }
  | { outcome: "held" }
  | { outcome: "closed" };

export type StageConfirmation = { outcome: "confirmed"; stage: Stage } | { outcome: "not_due" | "not_found" };

export type LeaseOutcome = "leased" | "held" | "closed";

export type SettleOutcome = { outcome: "decided"; decision: Decision; retries: number } | { outcome: "expired" | "unknown" };

const STATE_KEY = "gate";
// Redelivery pacing lives under its own key: it never reads or changes the review's state.
const REDELIVERY_KEY = "redelivery";
// A deleted task's gate keeps only when it was withdrawn, so a late decision hears why, then forgets even that.
const TOMBSTONE_KEY = "withdrawn";
const TOMBSTONE_MS = 7 * 24 * 60 * 60 * 1000;
const DEADLINE_FINGERPRINT = "deadline";

/**
 * Every method reads and writes synchronously through the SQLite-backed storage API before its first await, so each
 * decision is judged alone: however many arrive at once, exactly one wins. Nothing waits in a workflow for a human:
 * the alarm starts one when the review ends (a decision, or the deadline), at the speed people decide.
 */
export class DecisionGate extends DurableObject<Env> {
  private readonly events = new EventLog(this.ctx);

  private read(): GateState | undefined {
    return this.ctx.storage.kv.get<GateState>(STATE_KEY);
  }

  private write(state: GateState): void {
    this.ctx.storage.kv.put(STATE_KEY, state);
  }

  /** Called at upload; repeating it (an idempotent replay) changes nothing. */
  async open(taskId: string, deadline: number, policy: ReviewPolicy, now: number): Promise<void> {
    if (this.read()) return;
    const gate: GateState = {
      taskId,
      deadline,
      policy,
      state: "pending",
      leasedUntil: 0,
      announcement: null,
      prescreened: false,
      finishing: false,
      stages: scheduleStages(policy, now),
    };
    this.write(gate);
    await this.arm(gate, now);
  }

  /** Whether the pre-screen job has finished: a repeated job then has nothing left to do. */
  prescreenHeard(): boolean {
    return this.read()?.prescreened ?? false;
  }

  /** Called once the pre-screen is stored and the task queued (or it never can be, and says why). */
  async prescreenDone(now: number, events: TaskEvents): Promise<void> {
    const gate = this.read();
    if (!gate || gate.prescreened) return;
    // In the same call, and before the gate can start the workflow, so these come before any event the workflow makes.
    this.events.publish(events.drafts, events.task, events.at);
    const done: GateState = { ...gate, prescreened: true };
    this.write(done);
    await this.arm(done, now);
  }

  /**
   * Counts the decision under the task's policy (tallyDecision), all before the first await, so of any number arriving
   * at once each is counted alone and exactly one decides. Once decided, only a request that counted, under its own
   * decision id, is a retry: the same id with anything changed is another decision, refused like any latecomer, so a
   * reused id can neither pass as the winner nor rewrite it.
   */
  async decide(request: DecisionRequest, now: number): Promise<DecisionOutcome> {
    const gate = this.expireIfDue(now);
    if (!gate) return { outcome: this.ctx.storage.kv.get(TOMBSTONE_KEY) === undefined ? "not_found" : "withdrawn" };
    if (gate.state === "expired") return { outcome: "expired" };
    const fingerprint = decisionFingerprint(request);
    if (gate.state === "decided") {
      const counted = gate.fingerprint === fingerprint || gate.ballots?.some((ballot) => ballot.fingerprint === fingerprint);
      return counted ? decided(gate.taskId, gate.decision) : { outcome: "already_decided", decision: gate.decision };
    }
    const policy = gate.policy ?? DEFAULT_POLICY;
    const tally = tallyDecision(policy, gate.ballots ?? [], request, fingerprint, new Date(now));
    if (tally.kind === "excluded") return { outcome: "excluded" };
    if (tally.kind === "counted") {
      this.write({ ...gate, ballots: tally.ballots });
      const progress = { taskId: gate.taskId, status: "pending" as const, approvalsRequired: policy.approvalsRequired };
      return { outcome: "approval_counted", progress: { ...progress, approvals: tally.ballots.map(publicApproval) } };
    }
    const won: GateState = { ...gate, state: "decided", decision: tally.decision, fingerprint, ballots: tally.ballots };
    this.write(won);
    await this.arm(won, now);
    return decided(gate.taskId, tally.decision);
  }

  /**
   * Called by the task's workflow: how the review ended. The alarm starts the workflow only once it has; one started
   * another way (an operator's restart) before the deadline closes the review here rather than leave it open.
   */
  settle(): SettleOutcome {
    const gate = this.read();
    if (!gate) return { outcome: "unknown" };
    if (gate.state === "decided") return { outcome: "decided", decision: gate.decision, retries: gate.retries ?? 0 };
    if (gate.state === "pending") this.write({ ...gate, state: "expired" });
    return { outcome: "expired" };
  }

  /**
   * Grants one more run of a failed task's work: only to a caller that saw `seen` retries, so of several asking at
   * once exactly one gets it. The alarm restarts the workflow; false when the work is not one that can have failed.
   */
  async retry(seen: number, now: number): Promise<boolean> {
    const gate = this.read();
    if (gate?.state !== "decided" || !gate.finishing || (gate.retries ?? 0) !== seen) return false;
    const retried: GateState = { ...gate, retries: seen + 1, finishing: false };
    this.write(retried);
    await this.arm(retried, now);
    return true;
  }

  /** The review as it stands, for reviewer tooling; an expired deadline counts as expired even before the timer fires. */
  review(now: number): ReviewState | null {
    const gate = this.expireIfDue(now);
    if (!gate) return null;
    const decision = gate.state === "decided" ? gate.decision : null;
    return {
      state: gate.state,
      deadline: gate.deadline,
      decision,
      announcement: gate.announcement,
      approvals: (gate.ballots ?? []).map(publicApproval),
      approvalsRequired: (gate.policy ?? DEFAULT_POLICY).approvalsRequired,
      stages: (gate.stages ?? []).filter((stage) => stage.recorded).map(publicStage),
    };
  }

  /**
   * Hands a due stage to exactly one deliverer until its lease runs out or it is confirmed. `held` comes back later;
   * `closed` never does (confirmed, or the review is over: a decided, expired or withdrawn review has no more stages).
   */
  leaseStage(name: string, now: number, leaseMs: number): StageLease {
    const gate = this.expireIfDue(now);
    const stage = gate?.stages?.find((candidate) => stageName(candidate) === name);
    if (gate?.state !== "pending" || !stage || stage.confirmedAt !== null) return { outcome: "closed" };
    if (stage.dueAt > now || stage.leasedUntil > now) return { outcome: "held" };
    const leased: Stage = { ...stage, leasedUntil: now + leaseMs };
    this.write({ ...gate, stages: gate.stages?.map((candidate) => (candidate === stage ? leased : candidate)) });
    return { outcome: "leased", stage: leased, announcement: gate.announcement };
  }

  /** Marks a due stage delivered, for good; repeating it changes nothing. */
  confirmStage(name: string, now: number): StageConfirmation {
    const gate = this.read();
    if (!gate) return { outcome: "not_found" };
    const stage = gate.stages?.find((candidate) => stageName(candidate) === name);
    if (!stage || stage.dueAt > now) return { outcome: "not_due" };
    if (stage.confirmedAt !== null) return { outcome: "confirmed", stage };
    const confirmed: Stage = { ...stage, recorded: true, confirmedAt: now };
    this.write({ ...gate, stages: gate.stages?.map((candidate) => (candidate === stage ? confirmed : candidate)) });
    return { outcome: "confirmed", stage: confirmed };
  }

  /**
   * Hands the task to exactly one claimer until the lease runs out or its announcement is confirmed. `held` comes
   * back to claimers later; `closed` never does (announced, decided, expired or withdrawn).
   */
  lease(now: number, leaseMs: number): LeaseOutcome {
    const gate = this.expireIfDue(now);
    if (gate?.state !== "pending" || gate.announcement) return "closed";
    if (gate.leasedUntil > now) return "held";
    this.write({ ...gate, leasedUntil: now + leaseMs });
    return "leased";
  }

  announce(announcement: Announcement): boolean {
    const gate = this.read();
    if (!gate) return false;
    this.write({ ...gate, announcement });
    return true;
  }

  /**
   * Ends the task for good (deleted by its client, or past retention): its review is closed to every later call and
   * nothing more is started. Answers whether its workflow may be running, or null for a gate that was never opened.
   */
  async withdraw(now: number): Promise<{ finishing: boolean } | null> {
    const gate = this.read();
    if (!gate) return this.ctx.storage.kv.get(TOMBSTONE_KEY) === undefined ? null : { finishing: false };
    this.ctx.storage.kv.delete(STATE_KEY);
    this.events.forget(new Date(now).toISOString());
    this.ctx.storage.kv.put(TOMBSTONE_KEY, now);
    await this.ctx.storage.setAlarm(now + TOMBSTONE_MS);
    return { finishing: gate.finishing };
  }

  /** Adds what one write of the task's record changed to its event log, and tells the streams that follow it. */
  publishEvents({ drafts, task, at }: TaskEvents): void {
    this.events.publish(drafts, task, at);
  }

  /** A live stream of the task's events (GET /v1/tasks/:id/events), as a WebSocket. */
  override async fetch(request: Request): Promise<Response> {
    return this.events.open(request);
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    // Completes the closing handshake the Worker started (its client went away).
    socket.close(code === 1005 ? 1000 : code, "closed");
  }

  /** Paces client-requested callback redeliveries to one per `intervalMs`: this one's number, or how long to wait. */
  redeliveryTurn(now: number, intervalMs: number): RedeliveryTurn {
    const last = this.ctx.storage.kv.get<{ count: number; at: number }>(REDELIVERY_KEY);
    if (last && now < last.at + intervalMs) return { waitMs: last.at + intervalMs - now };
    const granted = (last?.count ?? 0) + 1;
    this.ctx.storage.kv.put(REDELIVERY_KEY, { count: granted, at: now });
    return { granted };
  }

  /**
   * The deadline, a pre-screen to chase, a workflow to start or one to look after: the alarm does whichever is due.
   * Cloudflare retries a throwing alarm only a few times, so a failed start or look re-arms the alarm itself instead.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const found = this.expireIfDue(now);
    // Only a withdrawn task's tombstone sets an alarm without a gate: its time is up.
    if (!found) return this.ctx.storage.deleteAll();
    const gate = await this.recordDueStages(found, now);
    if (!gate) return;
    if (!gate.prescreened) {
      await requestPrescreen(this.env, gate.taskId);
      const chased: GateState = { ...gate, prescreenChases: (gate.prescreenChases ?? 0) + 1 };
      this.write(chased);
      return this.arm(chased, now);
    } else if (gate.state !== "pending" && !gate.finishing) {
      try {
        // A retry runs the existing instance again from the start; the first start creates it.
        await (gate.retries ? restartReview : startReview)(this.env, gate.taskId);
      } catch (error) {
        console.error(JSON.stringify({ event: "review_start_failed", taskId: gate.taskId, error: String(error) }));
        await this.ctx.storage.setAlarm(now + START_RETRY_MS);
        return;
      }
      const finishing: GateState = { ...gate, finishing: true, watches: 0 };
      this.write(finishing);
      return this.arm(finishing, now);
    } else if (gate.finishing) {
      return this.watch(gate, now);
    }
    await this.arm(gate, now);
  }

  /**
   * Records the pending review's stages that have come due: each goes into the due index and the task's event log
   * first (idempotent writes), then is marked recorded, so a crash in between only writes the same again, and none is
   * lost or doubled.
   * Null when the index could not be written: the alarm is set to try again shortly, as for a failed workflow start.
   */
  private async recordDueStages(gate: GateState, now: number): Promise<GateState | null> {
    const due = gate.state === "pending" ? (gate.stages ?? []).filter((stage) => !stage.recorded && stage.dueAt <= now) : [];
    if (due.length === 0) return gate;
    try {
      const at = new Date(now).toISOString();
      await Promise.all(due.map((stage) => indexDueStage(this.env, gate.taskId, stage)));
      this.events.publish(due.map(stageEvent), null, at);
    } catch (error) {
      console.error(JSON.stringify({ event: "review_stage_index_failed", taskId: gate.taskId, error: String(error) }));
      await this.ctx.storage.setAlarm(now + START_RETRY_MS);
      return null;
    }
    // Other calls may have changed the gate while the index was written; mark the stages on what it holds now.
    const current = this.read() ?? gate;
    const names = new Set(due.map(stageName));
    const recorded: GateState = {
      ...current,
      stages: current.stages?.map((stage) => (names.has(stageName(stage)) ? { ...stage, recorded: true } : stage)),
    };
    this.write(recorded);
    return recorded;
  }

  /**
   * Nothing accepted may stay stuck, whatever stopped its workflow: one that errored is run again, one that is gone is
   * started again, and one still at work is nudged, since a local runtime restarted mid-step resumes an instance only
   * when an event reaches it (on Cloudflare the nudge changes nothing). Every step is idempotent, so this is safe.
   */
  private async watch(gate: GateState, now: number): Promise<void> {
    try {
      const care = await tendReview(this.env, gate.taskId);
      if (care === "ended") return this.ctx.storage.deleteAlarm();
      if (care !== "nudged") console.warn(JSON.stringify({ event: `review_${care}`, taskId: gate.taskId }));
    } catch (error) {
      console.error(JSON.stringify({ event: "review_watch_failed", taskId: gate.taskId, error: String(error) }));
    }
    const watched: GateState = { ...gate, watches: (gate.watches ?? 0) + 1 };
    this.write(watched);
    await this.arm(watched, now);
  }

  /**
   * Sets the one alarm to what comes next: chasing the pre-screen, the next stage or the deadline, starting the
   * workflow or looking after it.
   */
  private async arm(gate: GateState, now: number): Promise<void> {
    const storage = this.ctx.storage;
    // A pending review wakes at its deadline or its next unrecorded stage, whichever comes first.
    const nextStage = (gate.stages ?? []).find((stage) => !stage.recorded)?.dueAt ?? Number.POSITIVE_INFINITY;
    const reviewAt = Math.min(gate.deadline, nextStage);
    if (!gate.prescreened) {
      const chaseAt = now + Math.min(PRESCREEN_GRACE_MS * 2 ** (gate.prescreenChases ?? 0), MAX_PRESCREEN_GRACE_MS);
      return storage.setAlarm(gate.state === "pending" ? Math.min(reviewAt, chaseAt) : chaseAt);
    }
    if (gate.state === "pending") return storage.setAlarm(reviewAt);
    if (!gate.finishing) return storage.setAlarm(now);
    return storage.setAlarm(now + Math.min(WATCH_FIRST_MS * 2 ** (gate.watches ?? 0), WATCH_MAX_MS));
  }

  /** A pending review past its deadline ends as its policy says: expired, or rejected by Greenlight at the deadline. */
  private expireIfDue(now: number): GateState | undefined {
    const gate = this.read();
    if (gate?.state === "pending" && now >= gate.deadline) {
      const policy = gate.policy ?? DEFAULT_POLICY;
      const ended: GateState =
        policy.onDeadline === "reject"
          ? {
              ...gate,
              state: "decided",
              decision: deadlineRejection(gate.deadline, gate.ballots ?? [], policy),
              fingerprint: DEADLINE_FINGERPRINT,
            }
          : { ...gate, state: "expired" };
      this.write(ended);
      return ended;
    }
    return gate;
  }
}
