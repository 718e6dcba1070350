// The console's session cookie (Hono's signed cookie over the session id) and the CSRF token bound to that id.
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { base64url } from "jose";
import { secretsEqual } from "../domain/secure-compare.ts";
import { derivedHmacKey } from "../domain/signing-keys.ts";

export const SESSION_COOKIE = "greenlight_console";
const COOKIE_PATH = "/console";

const encoder = new TextEncoder();

// Its own purpose string, so nothing signed here can double as a preview URL or as a decision token (HS256 is keyed
// with the raw secret).
async function sessionMac(secret: string, text: string): Promise<Uint8Array> {
  const key = await derivedHmacKey(secret, "greenlight console-session v1");
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
}

// Hono keys its cookie HMAC with the bytes it is given: these come from the session key, never the secret itself.
const cookieSecret = (secret: string) => sessionMac(secret, "cookie");

// Browsers drop Secure cookies over plain http, which only loopback development uses.
const isLoopback = (hostname: string) => hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";

export async function setSessionCookie(c: Context, secret: string, sid: string, maxAgeSeconds: number): Promise<void> {
  await setSignedCookie(c, SESSION_COOKIE, sid, await cookieSecret(secret), {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: "Strict",
    secure: !isLoopback(new URL(c.req.url).hostname),
    maxAge: maxAgeSeconds,
  });
}

/** The session id this Worker signed, or null when the cookie is missing or forged. Whether it lives is the store's call. */
export async function readSessionCookie(c: Context, secret: string): Promise<string | null> {
  return (await getSignedCookie(c, await cookieSecret(secret), SESSION_COOKIE)) || null;
}

export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH });

/** The CSRF token for a session: bound to its random id, so a token from one session is useless in another. */
export const csrfToken = async (secret: string, sid: string) => base64url.encode(await sessionMac(secret, `csrf.${sid}`));

export async function csrfTokenValid(secret: string, sid: string, given: unknown): Promise<boolean> {
  return typeof given === "string" && given.length > 0 && secretsEqual(given, await csrfToken(secret, sid));
}
