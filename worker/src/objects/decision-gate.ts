// One per task: the strongly consistent judge of its claim lease, its first decision and its expiry.
import { DurableObject } from "cloudflare:workers";
import { decisionFingerprint } from "../domain/decision-token.ts";
import type { Announcement } from "../domain/review.ts";
import type { Decision } from "../domain/task.ts";

type Review = { deadline: number; leasedUntil: number; announcement: Announcement | null };

/** A decided gate carries its winner and the fingerprint of the token that won (decisionFingerprint). */
type GateState = Review & ({ state: "pending" | "expired" } | { state: "decided"; decision: Decision; fingerprint: string });

/**
 * Gates written before fingerprints: `decision` and `decisionJti` were null until decided. A decided one
 * still holds everything its fingerprint is built from, so read() rebuilds it exactly; a pending one's null
 * fields are inert leftovers that a later win leaves beside the new `fingerprint`.
 */
type LegacyGateState = Review &
  ({ state: "pending" | "expired"; decision: null; decisionJti: null } | { state: "decided"; decision: Decision; decisionJti: string });

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
    const stored = this.ctx.storage.kv.get<GateState | LegacyGateState>(STATE_KEY);
    if (stored?.state !== "decided" || "fingerprint" in stored) return stored;
    const { decisionJti, ...gate } = stored;
    return { ...gate, fingerprint: decisionFingerprint(gate.decision, decisionJti) };
  }

  private write(state: GateState): void {
    this.ctx.storage.kv.put(STATE_KEY, state);
  }

  /** Called at upload; repeating it (an idempotent replay) changes nothing. */
  open(deadline: number): void {
    if (this.read()) return;
    this.write({ deadline, state: "pending", leasedUntil: 0, announcement: null });
  }

  /**
   * Only the winning token's exact claim set is a retry: the same jti with any claim changed is another
   * decision, refused like any latecomer, so a reused jti can neither pass as the winner nor rewrite it.
   */
  decide(decision: Decision, jti: string, now: number): DecideOutcome {
    const gate = this.expireIfDue(now);
    if (!gate) return { outcome: "unknown" };
    if (gate.state === "expired") return { outcome: "expired" };
    const fingerprint = decisionFingerprint(decision, jti);
    if (gate.state === "decided") {
      return { outcome: gate.fingerprint === fingerprint ? "replay" : "conflict", decision: gate.decision };
    }
    this.write({ ...gate, state: "decided", decision, fingerprint });
    return { outcome: "won", decision };
  }

  /** Called when the review's timer fires: expires the task unless a decision got in first. */
  settle(): SettleOutcome {
    const gate = this.read();
    if (!gate) return { outcome: "unknown" };
    if (gate.state === "decided") return { outcome: "decided", decision: gate.decision };
    if (gate.state === "pending") this.write({ ...gate, state: "expired" });
    return { outcome: "expired" };
  }

  /** The review as it stands, for reviewer tooling; an expired deadline counts as expired even before the timer fires. */
  review(now: number): ReviewState | null {
    const gate = this.expireIfDue(now);
    if (!gate) return null;
    const decision = gate.state === "decided" ? gate.decision : null;
    return { state: gate.state, deadline: gate.deadline, decision, announcement: gate.announcement };
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
