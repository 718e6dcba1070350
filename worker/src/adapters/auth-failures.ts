// The AUTH_FAILURES rate limiter: counts failed credential attempts per source and remembers which sources are throttled.

/** wrangler.toml's `simple.period` for AUTH_FAILURES; the binding reports neither its period nor when its window ends. */
const AUTH_FAILURE_PERIOD_SECONDS = 60;
// Enough for every source throttled in the last period on one isolate; past it the oldest entry goes first.
const MAX_THROTTLED_SOURCES = 10_000;

// The binding has only limit(), which counts the call it answers, so it cannot be asked "is this source throttled?"
// for a right credential without charging it as a failure. Sources it refused are remembered here, in isolate
// memory, so a right credential from them is refused too at no cost. Isolate memory is per isolate and may be
// dropped at any time (https://developers.cloudflare.com/workers/reference/how-workers-works/), so this is a cache
// of refusals, never a guarantee; the README's security notes say what is left to a WAF rule.
const throttledUntil = new Map<string, number>();

/** Whole seconds until this isolate stops refusing the source; 0 when it is not refusing it. */
export function throttledFor(source: string, now: number): number {
  const until = throttledUntil.get(source) ?? 0;
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

/** Counts one failed attempt; answers the seconds the source must now wait, or 0 while it is within its budget. */
export async function recordAuthFailure(env: Env, source: string, now: number): Promise<number> {
  const { success } = await env.AUTH_FAILURES.limit({ key: source });
  if (success) return 0;
  rememberThrottled(source, now);
  return AUTH_FAILURE_PERIOD_SECONDS;
}

function rememberThrottled(source: string, now: number): void {
  // Every entry lasts one period, so insertion order is expiry order and expired entries sit at the front.
  for (const [oldest, until] of throttledUntil) {
    if (until > now && throttledUntil.size < MAX_THROTTLED_SOURCES) break;
    throttledUntil.delete(oldest);
  }
  throttledUntil.delete(source);
  throttledUntil.set(source, now + AUTH_FAILURE_PERIOD_SECONDS * 1000);
}
