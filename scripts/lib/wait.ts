// Polling with an explicit time limit and a failure message that says what was awaited and what was last seen.
import { setTimeout as sleep } from "node:timers/promises";

export type WaitOptions = { timeoutMs: number; intervalMs?: number };

export class WaitTimeout extends Error {}

/** Thrown from a check to end the wait at once: the awaited state can no longer come (a process exited, a 401). */
export class StopWaiting extends Error {}

/**
 * Calls `check` until it returns something other than undefined, then returns that. A thrown error counts as
 * "not yet" (the server may still be starting) unless it is a StopWaiting; `describe` adds the latest
 * observation to the timeout message.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs, intervalMs = 250 }: WaitOptions,
  describe?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const error = lastError === undefined ? undefined : lastError instanceof Error ? lastError.message : String(lastError);
      const seen = [describe?.(), error].filter(Boolean).join("; ");
      throw new WaitTimeout(`Timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${what}${seen ? ` (last seen: ${seen})` : ""}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
