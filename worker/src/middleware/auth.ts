// Bearer-token auth for API clients (sets clientId) and for reviewer tooling, throttled per source on failures.
import type { Context } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import ipaddr from "ipaddr.js";
import { recordAuthFailure, throttledFor } from "../adapters/auth-failures.ts";
import type { AppEnv } from "../app-env.ts";
import { matchesAnySecret } from "../domain/secure-compare.ts";
import { AppError, tooManyAuthFailures } from "../errors.ts";

const unauthorized = () => new AppError(401, "unauthorized", "A valid Authorization: Bearer <key> header is required.");

/**
 * Hono's bearerAuth, refusing with `refusal` in the contract's envelope (status 401 included, where Hono would answer a
 * malformed header with 400). A missing or malformed header guesses nothing, so verifyToken, and the throttle in it,
 * never sees it. verifyToken may throw an AppError of its own (429, or why a token is refused).
 */
export function bearer<E extends AppEnv>(verifyToken: (token: string, c: Context<E>) => Promise<boolean>, refusal: () => AppError) {
  const refuse = {
    message: (c: Context) => {
      const error = refusal();
      return c.json(error.toBody(), error.status);
    },
  };
  return bearerAuth<E>({ verifyToken, noAuthenticationHeader: refuse, invalidAuthenticationHeader: refuse, invalidToken: refuse });
}

// Requests that did not come through Cloudflare's edge: see sourceOf.
const NO_SOURCE = "unknown";

/**
 * Who is guessing. Cloudflare's edge sets CF-Connecting-IP to the connecting client's address, so in production a
 * client cannot choose it; a Worker on another zone arrives as 2a06:98c0:3600::103, all such Workers one source
 * (https://developers.cloudflare.com/fundamentals/reference/http-headers/#cf-connecting-ip). `wrangler dev` sets it
 * from the socket (127.0.0.1 for the local stack) but keeps a value the client sent; the vitest pool sends only the
 * headers a test gives. Requests with no usable address share one source, so leaving the header out buys no fresh
 * budget. An IPv6 host picks its own low 64 bits (RFC 4291 §2.5.1, rotated by RFC 8981), so IPv6 counts per /64.
 */
function sourceOf(connectingIp: string): string {
  if (!ipaddr.isValid(connectingIp)) return NO_SOURCE;
  const address = ipaddr.process(connectingIp);
  return address.kind() === "ipv6" ? `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64` : address.toString();
}

/**
 * Passes the verdict of one credential check through the per-source throttle: throws 429 too_many_auth_failures while
 * the source is throttled, whether the credential was right or wrong, and counts a wrong one. Call it for every
 * credential checked, right ones included: a throttle that refused only wrong guesses would still answer 200 to the
 * right one, and so would not slow guessing at all.
 */
export async function throttleAuthAttempt<E extends AppEnv>(c: Context<E>, credentialValid: boolean): Promise<void> {
  const source = sourceOf(c.req.header("cf-connecting-ip") ?? "");
  const now = Date.now();
  // A right credential is judged from isolate memory alone: no call to the binding, so it is never counted.
  const waitSeconds = throttledFor(source, now) || (credentialValid ? 0 : await recordAuthFailure(c.env, source, now));
  if (waitSeconds > 0) throw tooManyAuthFailures(waitSeconds);
}

export const clientAuth = () =>
  bearer<AppEnv>(async (token, c) => {
    // Every key of every client is compared, so the time taken does not reveal which client (if any) matched.
    const matches = await Promise.all(
      Object.entries(c.var.settings.clientKeys).map(async ([clientId, keys]) => ((await matchesAnySecret(token, keys)) ? clientId : null)),
    );
    const clientId = matches.find((id) => id !== null);
    await throttleAuthAttempt(c, clientId !== undefined);
    if (clientId) c.set("clientId", clientId);
    return clientId !== undefined;
  }, unauthorized);

export const reviewerAuth = () =>
  bearer<AppEnv>(async (token, c) => {
    const valid = await matchesAnySecret(token, c.var.settings.reviewerTokens);
    await throttleAuthAttempt(c, valid);
    return valid;
  }, unauthorized);
