// The IDEMPOTENCY Durable Object namespace: one ledger per client and Idempotency-Key.
import type { IdempotencyEntry, ReserveOutcome } from "../objects/idempotency-ledger.ts";

/** Reserves the client's key for this request, or says which task it made, or that another request holds it. */
export async function reserveIdempotencyKey(
  env: Pick<Env, "IDEMPOTENCY">,
  clientId: string,
  key: string,
  entry: IdempotencyEntry,
): Promise<ReserveOutcome> {
  return env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(JSON.stringify([clientId, key]))).reserve(entry);
}
