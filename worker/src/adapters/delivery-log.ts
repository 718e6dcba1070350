// KV (TASKS): the delivery log, one key per callback attempt, listed oldest first.
import { type DeliveryAttempt, DeliveryAttemptSchema } from "../domain/delivery-attempt.ts";

const logPrefix = (taskId: string) => `deliveries:v1:${taskId}:`;
// The attempt's ISO time leads, so KV's lexicographic listing is oldest first; trigger and number keep keys unique.
// Each key is written once (again only by a retried step, with the same value), far from KV's one write per second
// per key, and no writer ever reads another's key.
const attemptKey = (taskId: string, attempt: DeliveryAttempt) =>
  `${logPrefix(taskId)}${attempt.attemptedAt}:${attempt.trigger}:${attempt.attempt}`;

export async function recordDeliveryAttempt(env: Pick<Env, "TASKS">, taskId: string, attempt: DeliveryAttempt): Promise<void> {
  await env.TASKS.put(attemptKey(taskId, attempt), JSON.stringify(attempt));
}

export type DeliveryPage = { items: DeliveryAttempt[]; cursor: string | null };

/** A page of the task's attempts, oldest first; a key listed but not yet readable here (KV lag) is left out. */
export async function listDeliveryAttempts(env: Pick<Env, "TASKS">, taskId: string, limit: number, cursor?: string): Promise<DeliveryPage> {
  const page = await env.TASKS.list({ prefix: logPrefix(taskId), limit, cursor });
  const values = await Promise.all(page.keys.map((key) => env.TASKS.get(key.name, "json")));
  return {
    items: values.filter((value) => value !== null).map((value) => DeliveryAttemptSchema.parse(value)),
    cursor: page.list_complete ? null : page.cursor,
  };
}

/** Deletes every attempt of the task, page by page. */
export async function deleteDeliveryAttempts(env: Pick<Env, "TASKS">, taskId: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await env.TASKS.list({ prefix: logPrefix(taskId), cursor });
    await Promise.all(page.keys.map((key) => env.TASKS.delete(key.name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}
