// The IDEMPOTENCY Durable Object namespace: one ledger per client and Idempotency-Key.
import type { IdempotencyLedger } from "../objects/idempotency-ledger.ts";

export const idempotencyLedger = (env: Env, clientId: string, key: string): DurableObjectStub<IdempotencyLedger> =>
  env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(JSON.stringify([clientId, key])));
