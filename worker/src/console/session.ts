// Console sessions' life: started at sign-in, checked on every later request, ended by sign-out or revocation.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.ts";
import {
  activeConsoleSession,
  type ConsoleSession,
  endAllConsoleSessions,
  endConsoleSession,
  SESSION_LIFETIME_MS,
  startConsoleSession,
} from "../services/console-sessions.ts";
import { clearSessionCookie, csrfToken, csrfTokenValid, readSessionCookie, setSessionCookie } from "./session-cookie.ts";

export type ConsoleEnv = AppEnv & { Variables: AppEnv["Variables"] & { session: ConsoleSession; csrf: string } };

export async function startSession(c: Context<ConsoleEnv>, name: string, now: number): Promise<void> {
  const session = await startConsoleSession(c.env, name, now);
  await setSessionCookie(c, c.var.settings.decisionSecret, session.sid, SESSION_LIFETIME_MS / 1000);
}

/** Every page past sign-in: a signed cookie for a session the store still holds; a post also needs its CSRF token. */
export const requireSession = () =>
  createMiddleware<ConsoleEnv>(async (c, next) => {
    const secret = c.var.settings.decisionSecret;
    const sid = await readSessionCookie(c, secret);
    if (!sid) return c.redirect("/console/sign-in", 303);
    // The token is bound to the cookie's session id, so a forged post is refused before the store is asked, or written.
    if (c.req.method === "POST") {
      const form = await c.req.parseBody();
      if (!(await csrfTokenValid(secret, sid, form.csrf)))
        throw new HTTPException(403, { message: "The form's CSRF token is missing or wrong." });
    }
    // The store, not the cookie, says whether the session is alive: a signed-out, revoked or expired one stops here.
    const session = await activeConsoleSession(c.env, sid, Date.now());
    if (!session) return c.redirect("/console/sign-in", 303);
    c.set("session", session);
    c.set("csrf", await csrfToken(secret, session.sid));
    // Never stored by the browser, so Back after sign-out asks the server again and lands on sign-in, not on a copy.
    c.header("Cache-Control", "no-store");
    await next();
  });

/** Ends a session on the server; ending your own also clears your cookie. Answers whether it was yours. */
export async function endSession(c: Context<ConsoleEnv>, sid: string): Promise<boolean> {
  await endConsoleSession(c.env, sid);
  const own = sid === c.var.session.sid;
  if (own) clearSessionCookie(c);
  return own;
}

/** Ends every console session, this one included: for when the reviewer token may have leaked. */
export async function endAllSessions(c: Context<ConsoleEnv>): Promise<void> {
  await endAllConsoleSessions(c.env);
  clearSessionCookie(c);
}
