// Every review-console session in one place: who signed in, when, when last seen and when it ends.
import { DurableObject } from "cloudflare:workers";

export type ConsoleSession = { sid: string; name: string; startedAt: number; lastSeenAt: number; expiresAt: number };

const FIELDS = "sid, name, started_at AS startedAt, last_seen_at AS lastSeenAt, expires_at AS expiresAt";

// Last seen is a hint for the Sessions page: a minute's precision keeps a page that polls every 2 s from writing each time.
const SEEN_PRECISION_MS = 60_000;

/**
 * One instance holds them all (human-scale traffic), so every check is strongly consistent: a session revoked here
 * fails the very next request. Methods run synchronously over the SQLite storage API, each to completion alone.
 */
export class ConsoleSessions extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS sessions (
      sid TEXT PRIMARY KEY, name TEXT NOT NULL, started_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
    )`);
  }

  /** Records a new session and deletes expired ones: only sign-ins add rows, so that keeps the table small; reads skip expired rows anyway. */
  start(session: ConsoleSession): void {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM sessions WHERE expires_at <= ?", session.startedAt);
    sql.exec(
      "INSERT INTO sessions (sid, name, started_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      session.sid,
      session.name,
      session.startedAt,
      session.lastSeenAt,
      session.expiresAt,
    );
  }

  /** The session while it is alive, marked as seen; null once it was revoked or has expired. */
  touch(sid: string, now: number): ConsoleSession | null {
    const sql = this.ctx.storage.sql;
    const [session] = sql.exec<ConsoleSession>(`SELECT ${FIELDS} FROM sessions WHERE sid = ? AND expires_at > ?`, sid, now).toArray();
    if (!session) return null;
    if (now - session.lastSeenAt < SEEN_PRECISION_MS) return session;
    sql.exec("UPDATE sessions SET last_seen_at = ? WHERE sid = ?", now, sid);
    return { ...session, lastSeenAt: now };
  }

  /** The living sessions, newest first. */
  list(now: number): ConsoleSession[] {
    return this.ctx.storage.sql
      .exec<ConsoleSession>(`SELECT ${FIELDS} FROM sessions WHERE expires_at > ? ORDER BY started_at DESC`, now)
      .toArray();
  }

  revoke(sid: string): void {
    this.ctx.storage.sql.exec("DELETE FROM sessions WHERE sid = ?", sid);
  }

  revokeAll(): void {
    this.ctx.storage.sql.exec("DELETE FROM sessions");
  }
}
