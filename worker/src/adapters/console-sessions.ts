// The CONSOLE_SESSIONS Durable Object namespace: one instance holds every review-console session.
import type { ConsoleSession, ConsoleSessions } from "../objects/console-sessions.ts";

export type { ConsoleSession };

export const sessionStore = (env: Env): DurableObjectStub<ConsoleSessions> =>
  env.CONSOLE_SESSIONS.get(env.CONSOLE_SESSIONS.idFromName("console"));

// RPC results are typed as disposable; these wrappers give callers the plain values.
export const recordSession = async (env: Env, session: ConsoleSession): Promise<void> => {
  await sessionStore(env).start(session);
};

export const touchSession = async (env: Env, sid: string, now: number): Promise<ConsoleSession | null> => sessionStore(env).touch(sid, now);

export const listSessions = async (env: Env, now: number): Promise<ConsoleSession[]> => sessionStore(env).list(now);

export const revokeSession = async (env: Env, sid: string): Promise<void> => {
  await sessionStore(env).revoke(sid);
};

export const revokeAllSessions = async (env: Env): Promise<void> => {
  await sessionStore(env).revokeAll();
};
