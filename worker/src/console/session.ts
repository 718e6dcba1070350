// Console sessions: a signed cookie holding the reviewer's display name, its expiry and a CSRF secret.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secretsEqual } from "../domain/secure-compare.ts";
import { derivedHmacKey, fromBase64Url, toBase64Url } from "../domain/signing-keys.ts";

export const SESSION_COOKIE = "greenlight_console";
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

export type Session = { name: string; sid: string; exp: number };

const encoder = new TextEncoder();

// Its own purpose string, so a session signature can never double as a preview URL or a decision token.
const sessionKey = (secret: string) => derivedHmacKey(secret, "greenlight console-session v1");

async function sign(secret: string, text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", await sessionKey(secret), encoder.encode(text))));
}

export async function encodeSession(secret: string, session: Session): Promise<string> {
  const body = toBase64Url(encoder.encode(JSON.stringify(session)));
  return `${body}.${await sign(secret, `session.${body}`)}`;
}

/** The session in the cookie value, or null when it is missing, forged or expired. */
export async function decodeSession(secret: string, value: string | undefined, now: number): Promise<Session | null> {
  const [body, sig, extra] = (value ?? "").split(".");
  if (!body || !sig || extra !== undefined) return null;
  const signature = fromBase64Url(sig);
  if (!signature) return null;
  const valid = await crypto.subtle.verify("HMAC", await sessionKey(secret), signature, encoder.encode(`session.${body}`));
  if (!valid) return null;
  const json = fromBase64Url(body);
  if (!json) return null;
  const session = JSON.parse(new TextDecoder().decode(json)) as Session;
  if (typeof session.name !== "string" || typeof session.sid !== "string" || typeof session.exp !== "number") return null;
  return session.exp > now ? session : null;
}

/** The CSRF token for a session: bound to its random id, so a token from one session is useless in another. */
export const csrfToken = (secret: string, session: Session) => sign(secret, `csrf.${session.sid}`);

export async function csrfTokenValid(secret: string, session: Session, given: unknown): Promise<boolean> {
  return typeof given === "string" && given.length > 0 && secretsEqual(given, await csrfToken(secret, session));
}

// Browsers drop Secure cookies over plain http, which only loopback development uses.
const isLoopback = (hostname: string) => hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";

export async function startSession(c: Context, secret: string, name: string, now: number): Promise<void> {
  const session: Session = { name, sid: crypto.randomUUID(), exp: now + SESSION_LIFETIME_MS };
  setCookie(c, SESSION_COOKIE, await encodeSession(secret, session), {
    path: "/console",
    httpOnly: true,
    sameSite: "Strict",
    secure: !isLoopback(new URL(c.req.url).hostname),
    maxAge: SESSION_LIFETIME_MS / 1000,
  });
}

export const readSession = (c: Context, secret: string, now: number) => decodeSession(secret, getCookie(c, SESSION_COOKIE), now);

export const endSession = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: "/console" });
