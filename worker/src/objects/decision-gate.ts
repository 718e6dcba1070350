// One per task: the strongly consistent judge of its claim lease, its first decision and its expiry.
import { DurableObject } from "cloudflare:workers";
import type { Announcement } from "../domain/review.ts";
import type { Decision } from "../domain/task.ts";

type GateState = {
  deadline: number;
  state: "pending" | "decided" | "expired";
  decision: Decision | null;
  decisionJti: string | null;
  leasedUntil: number;
  announcement: Announcement | null;
};

export type DecideOutcome =
  | { outcome: "won" | "replay" | "conflict"; decision: Decision }
  | { outcome: "expired" }
  | { outcome: "unknown" };

export type ReviewState = {
  state: "pending" | "decided" | "expired";
  deadline: number;
  decision: Decision | null;
  announcement: Announcement | null;
};

export type SettleOutcome = { outcome: "decided"; decision: Decision } | { outcome: "expired" | "unknown" };

const STATE_KEY = "gate";

/**
 * Every method reads and writes synchronously through the SQLite-backed storage API, so each call runs
 * to completion before the next starts: however many decisions arrive at once, exactly one wins.
 */
export class DecisionGate extends DurableObject<Env> {
  private read(): GateState | undefined {
    return this.ctx.storage.kv.get<GateState>(STATE_KEY);
  }

  private write(state: GateState): void {
    this.ctx.storage.kv.put(STATE_KEY, state);
  }

  /** Called at upload; repeating it (an idempotent replay) changes nothing. */
  open(deadline: number): void {
    if (this.read()) return;
    this.write({ deadline, state: "pending", decision: null, decisionJti: null, leasedUntil: 0, announcement: null });
  }

  decide(decision: Decision, jti: string, now: number): DecideOutcome {
    const gate = this.expireIfDue(now);
    if (!gate) return { outcome: "unknown" };
    if (gate.state === "expired") return { outcome: "expired" };
    if (gate.state === "decided" && gate.decision) {
      return { outcome: gate.decisionJti === jti ? "replay" : "conflict", decision: gate.decision };
    }
    this.write({ ...gate, state: "decided", decision, decisionJti: jti });
    return { outcome: "won", decision };
  }

  /** Called when the review's timer fires: expires the task unless a decision got in first. */
  settle(): SettleOutcome {
    const gate = this.read();
    if (!gate) return { outcome: "unknown" };
    if (gate.state === "decided" && gate.decision) return { outcome: "decided", decision: gate.decision };
    if (gate.state === "pending") this.write({ ...gate, state: "expired" });
    return { outcome: "expired" };
  }

  /** The review as it stands, for reviewer tooling; an expired deadline counts as expired even before the timer fires. */
  review(now: number): ReviewState | null {
    const gate = this.expireIfDue(now);
    if (!gate) return null;
    return { state: gate.state, deadline: gate.deadline, decision: gate.decision, announcement: gate.announcement };
  }

  /** Hands the task to exactly one claimer until the lease runs out or its announcement is confirmed. */
  lease(now: number, leaseMs: number): boolean {
    const gate = this.expireIfDue(now);
    if (!gate || gate.state !== "pending" || gate.announcement || gate.leasedUntil > now) return false;
    this.write({ ...gate, leasedUntil: now + leaseMs });
    return true;
  }

  announce(announcement: Announcement): boolean {
    const gate = this.read();
    if (!gate) return false;
    this.write({ ...gate, announcement });
    return true;
  }

  private expireIfDue(now: number): GateState | undefined {
    const gate = this.read();
    if (gate?.state === "pending" && now >= gate.deadline) {
      const expired: GateState = { ...gate, state: "expired" };
      this.write(expired);
      return expired;
    }
    return gate;
  }
}
