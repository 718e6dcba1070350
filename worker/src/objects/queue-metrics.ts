// The one instance that keeps queue health: the tasks waiting now, one row per review event for 8 days, and the
// queue's depth per hour. Each read is a handful of indexed queries, never a scan of the task store.
import { DurableObject } from "cloudflare:workers";
import { type HourlyPoint, METRIC_WINDOWS, type Metrics, type WindowMetrics } from "../domain/metrics.ts";
import type { Reviewer } from "../domain/task.ts";

/** What became true of a task; each is counted once per task, however often it is recorded. */
export type ReviewEvent =
  | { kind: "accepted"; taskId: string; at: number }
  | { kind: "decided"; taskId: string; at: number; reviewer: Reviewer; decision: "approve" | "reject"; waitMs: number }
  | { kind: "expired"; taskId: string; at: number }
  /** Deleted while its review was open: it leaves the queue without a decision or a missed deadline. */
  | { kind: "withdrawn"; taskId: string; at: number };

const HOUR = 3_600_000;
const KEEP_MS = 8 * 24 * HOUR;

export class QueueMetrics extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS events (
        task_id TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL,
        reviewer_id TEXT, reviewer_name TEXT, decision TEXT, wait_ms INTEGER,
        PRIMARY KEY (task_id, kind)
      );
      CREATE INDEX IF NOT EXISTS events_by_time ON events (kind, at);
      CREATE TABLE IF NOT EXISTS pending (task_id TEXT PRIMARY KEY, since INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS pending_by_age ON pending (since);
      CREATE TABLE IF NOT EXISTS depth (id INTEGER PRIMARY KEY CHECK (id = 0), tasks INTEGER NOT NULL);
      INSERT OR IGNORE INTO depth VALUES (0, 0);
      CREATE TABLE IF NOT EXISTS hours (hour INTEGER PRIMARY KEY, peak INTEGER NOT NULL, last INTEGER NOT NULL);
    `);
  }

  /** Records `event` unless this task's event of that kind is already in (a retried step, a replayed upload). */
  record(event: ReviewEvent, now: number): void {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      const decided = event.kind === "decided" ? event : null;
      const inserted = sql
        .exec(
          "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING task_id",
          event.taskId,
          event.kind,
          event.at,
          decided?.reviewer.id ?? null,
          decided?.reviewer.name ?? null,
          decided?.decision ?? null,
          decided?.waitMs ?? null,
        )
        .toArray().length;
      const moved = !inserted
        ? 0
        : event.kind === "accepted"
          ? sql.exec("INSERT OR IGNORE INTO pending VALUES (?, ?) RETURNING task_id", event.taskId, event.at).toArray().length
          : -sql.exec("DELETE FROM pending WHERE task_id = ? RETURNING task_id", event.taskId).toArray().length;
      if (moved) {
        const { tasks } = sql.exec<{ tasks: number }>("UPDATE depth SET tasks = tasks + ? RETURNING tasks", moved).one();
        // The hour's first change may be a fall: its peak is then the depth the hour began with.
        sql.exec(
          "INSERT INTO hours VALUES (?, ?, ?) ON CONFLICT (hour) DO UPDATE SET peak = max(peak, excluded.peak), last = excluded.last",
          Math.floor(now / HOUR),
          Math.max(tasks, tasks - moved),
          tasks,
        );
      }
      // Old rows go as new ones come, so the tables stay a week and a day long without a sweep.
      sql.exec("DELETE FROM events WHERE kind IN ('accepted', 'decided', 'expired', 'withdrawn') AND at < ?", now - KEEP_MS);
      sql.exec("DELETE FROM hours WHERE hour < ?", Math.floor((now - KEEP_MS) / HOUR));
    });
  }

  /** Every figure of GET /v1/metrics as of `now`. */
  read(now: number): Metrics {
    const sql = this.ctx.storage.sql;
    const { tasks } = sql.exec<{ tasks: number }>("SELECT tasks FROM depth").one();
    const { since } = sql.exec<{ since: number | null }>("SELECT min(since) AS since FROM pending").one();
    const lastHour = this.count("decided", now - HOUR);
    const windows = { "24h": this.window(now - METRIC_WINDOWS["24h"]), "7d": this.window(now - METRIC_WINDOWS["7d"]) };
    return {
      generatedAt: new Date(now).toISOString(),
      queue: { depth: tasks, oldestPendingAgeMs: since === null ? null : Math.max(0, now - since) },
      decisionsPerHour: { lastHour, average24h: windows["24h"].decisions / 24 },
      windows,
    };
  }

  /** The last `hours` whole hours up to `now`, oldest first: an hour without events keeps the depth the last one left. */
  hourly(now: number, hours: number): HourlyPoint[] {
    const sql = this.ctx.storage.sql;
    const first = Math.floor(now / HOUR) - hours + 1;
    const rows = new Map(
      sql
        .exec<{ hour: number; peak: number; last: number }>("SELECT hour, peak, last FROM hours WHERE hour >= ?", first)
        .toArray()
        .map((r) => [r.hour, r]),
    );
    const before = sql.exec<{ last: number }>("SELECT last FROM hours WHERE hour < ? ORDER BY hour DESC LIMIT 1", first).toArray();
    // The median of each hour's decisions (nearest rank, as in read()), by window function over the time index.
    const medians = new Map(
      sql
        .exec<{ hour: number; wait_ms: number }>(
          `SELECT hour, wait_ms FROM (
             SELECT at / ${HOUR} AS hour, wait_ms,
               row_number() OVER (PARTITION BY at / ${HOUR} ORDER BY wait_ms) AS rank,
               count(*) OVER (PARTITION BY at / ${HOUR}) AS n
             FROM events WHERE kind = 'decided' AND at >= ?)
           WHERE rank = (n + 1) / 2`,
          first * HOUR,
        )
        .toArray()
        .map((r) => [r.hour, r.wait_ms]),
    );
    let carried = before[0]?.last ?? 0;
    return Array.from({ length: hours }, (_, i) => {
      const hour = first + i;
      const row = rows.get(hour);
      const peakDepth = row?.peak ?? carried;
      carried = row?.last ?? carried;
      return { hour: hour * HOUR, peakDepth, p50Ms: medians.get(hour) ?? null };
    });
  }

  private count(kind: ReviewEvent["kind"], since: number): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE kind = ? AND at >= ?", kind, since).one().n;
  }

  /** Nearest-rank percentile (the smallest time with at least `percent`% of the window's at or below it). */
  private percentile(since: number, decisions: number, percent: number): number | null {
    if (decisions === 0) return null;
    const offset = Math.ceil((percent * decisions) / 100) - 1;
    return this.ctx.storage.sql
      .exec<{ wait_ms: number }>(
        "SELECT wait_ms FROM events WHERE kind = 'decided' AND at >= ? ORDER BY wait_ms LIMIT 1 OFFSET ?",
        since,
        offset,
      )
      .one().wait_ms;
  }

  private window(since: number): WindowMetrics {
    const reviewers = this.ctx.storage.sql
      .exec<{ id: string; name: string; approve: number; reject: number }>(
        `SELECT reviewer_id AS id, max(reviewer_name) AS name,
           sum(decision = 'approve') AS approve, sum(decision = 'reject') AS reject
         FROM events WHERE kind = 'decided' AND at >= ? GROUP BY reviewer_id ORDER BY count(*) DESC, reviewer_id`,
        since,
      )
      .toArray();
    const approvals = reviewers.reduce((sum, r) => sum + r.approve, 0);
    const rejections = reviewers.reduce((sum, r) => sum + r.reject, 0);
    const decisions = approvals + rejections;
    return {
      decisions,
      approvals,
      rejections,
      timeToDecisionMs: { p50: this.percentile(since, decisions, 50), p95: this.percentile(since, decisions, 95) },
      missedDeadlines: this.count("expired", since),
      reviewers,
    };
  }
}
