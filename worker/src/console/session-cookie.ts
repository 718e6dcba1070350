// The console's session cookie: the session id and its expiry, signed; and the CSRF token bound to that id.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secretsEqual } from "../domain/secure-compare.ts";
import { derivedHmacKey, fromBase64Url, toBase64Url } from "../domain/signing-keys.ts";

export const SESSION_COOKIE = "greenlight_console";

/** What the cookie proves: that this Worker issued session `sid`. Whether it is still alive is the session store's call. */
export type SessionCookie = { sid: string; exp: number };

const encoder = new TextEncoder();

// Its own purpose string, so a session signature can never double as a preview URL or a decision token.
const sessionKey = (secret: string) => derivedHmacKey(secret, "greenlight console-session v1");

async function sign(secret: string, text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", await sessionKey(secret), encoder.encode(text))));
}

async function encodeCookie(secret: string, cookie: SessionCookie): Promise<string> {
  const body = toBase64Url(encoder.encode(JSON.stringify(cookie)));
  return `${body}.${await sign(secret, `session.${body}`)}`;
}

/** The cookie's claims, or null when it is missing, forged or past its expiry. */
async function decodeCookie(secret: string, value: string | undefined, now: number): Promise<SessionCookie | null> {
  const [body, sig, extra] = (value ?? "").split(".");
  if (!body || !sig || extra !== undefined) return null;
  const signature = fromBase64Url(sig);
  if (!signature) return null;
  const valid = await crypto.subtle.verify("HMAC", await sessionKey(secret), signature, encoder.encode(`session.${body}`));
  if (!valid) return null;
  const json = fromBase64Url(body);
  if (!json) return null;
  const cookie = JSON.parse(new TextDecoder().decode(json)) as SessionCookie;
  if (typeof cookie.sid !== "string" || typeof cookie.exp !== "number") return null;
  return cookie.exp > now ? cookie : null;
}

// Browsers drop Secure cookies over plain http, which only loopback development uses.
const isLoopback = (hostname: string) => hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";

export async function setSessionCookie(c: Context, secret: string, cookie: SessionCookie, now: number): Promise<void> {
  setCookie(c, SESSION_COOKIE, await encodeCookie(secret, cookie), {
    path: "/console",
    httpOnly: true,
    sameSite: "Strict",
    secure: !isLoopback(new URL(c.req.url).hostname),
    maxAge: Math.floor((cookie.exp - now) / 1000),
  });
}

export const readSessionCookie = (c: Context, secret: string, now: number) => decodeCookie(secret, getCookie(c, SESSION_COOKIE), now);

export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: "/console" });

/** The CSRF token for a session: bound to its random id, so a token from one session is useless in another. */
export const csrfToken = (secret: string, sid: string) => sign(secret, `csrf.${sid}`);

export async function csrfTokenValid(secret: string, sid: string, given: unknown): Promise<boolean> {
  return typeof given === "string" && given.length > 0 && secretsEqual(given, await csrfToken(secret, sid));
}
