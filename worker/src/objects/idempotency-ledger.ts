// One per (client, Idempotency-Key): remembers which task a key made, for 24 hours.
import { DurableObject } from "cloudflare:workers";

export type IdempotencyEntry = { fingerprint: string; taskId: string; createdAt: string };

export type ReserveOutcome = { outcome: "reserved" } | { outcome: "replay"; taskId: string; createdAt: string } | { outcome: "conflict" };

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const ENTRY_KEY = "entry";

export class IdempotencyLedger extends DurableObject<Env> {
  /** The first request with a key reserves it atomically; later ones replay it or conflict with it. */
  async reserve(entry: IdempotencyEntry): Promise<ReserveOutcome> {
    const existing = this.ctx.storage.kv.get<IdempotencyEntry>(ENTRY_KEY);
    if (existing) {
      if (existing.fingerprint !== entry.fingerprint) return { outcome: "conflict" };
      return { outcome: "replay", taskId: existing.taskId, createdAt: existing.createdAt };
    }
    this.ctx.storage.kv.put(ENTRY_KEY, entry);
    await this.ctx.storage.setAlarm(Date.now() + IDEMPOTENCY_WINDOW_MS);
    return { outcome: "reserved" };
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
