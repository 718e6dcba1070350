// Review-console sessions: started at sign-in, kept alive by each request, ended by sign-out or revocation. The store,
// not the cookie, says whether a session is alive.
import {
  type ConsoleSession,
  listSessions,
  recordSession,
  revokeAllSessions,
  revokeSession,
  touchSession,
} from "../adapters/console-sessions.ts";

export type { ConsoleSession };

export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

export async function startConsoleSession(env: Env, name: string, now: number): Promise<ConsoleSession> {
  const session: ConsoleSession = { sid: crypto.randomUUID(), name, startedAt: now, lastSeenAt: now, expiresAt: now + SESSION_LIFETIME_MS };
  await recordSession(env, session);
  return session;
}

/** The live session with this id, its last use moved to now; null once signed out, revoked or expired. */
export const activeConsoleSession = (env: Env, sid: string, now: number): Promise<ConsoleSession | null> => touchSession(env, sid, now);

export const listConsoleSessions = (env: Env, now: number): Promise<ConsoleSession[]> => listSessions(env, now);

export const endConsoleSession = (env: Env, sid: string): Promise<void> => revokeSession(env, sid);

export const endAllConsoleSessions = (env: Env): Promise<void> => revokeAllSessions(env);
