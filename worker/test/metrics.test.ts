// Queue health: GET /v1/metrics (JSON and Prometheus), the events behind it, and the console's dashboard.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Metrics } from "../src/domain/metrics.ts";
import type { Task } from "../src/domain/task.ts";
import type { QueueMetrics } from "../src/objects/queue-metrics.ts";
import { getTaskRecord } from "../src/adapters/task-store.ts";
import { decisionChange, recordDecisionOutcome, settleReview } from "../src/services/review-outcome.ts";
import {
  api,
  asClient,
  asReviewer,
  createQueuedTask,
  decide,
  decisionToken,
  gateOf,
  ORIGIN,
  passDeadline,
  postImage,
  REVIEWER_TOKEN,
  waitForTask,
} from "./support/api.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Every clock the scenario sets lies in the future, so no gate alarm the runtime schedules falls due by itself.
const T0 = Math.ceil((Date.now() + 10 * DAY) / HOUR) * HOUR;
// The scenario's busy hour: 26 hours after the first uploads, so their events fall in the 7 days but not the 24 hours.
const T1 = T0 + 26 * HOUR;
// When the figures are read.
const NOW = T1 + 30 * MINUTE;
// Seven uploads and six workflows, tagging included.
const SCENARIO_MS = 30_000;

/** Runs `act` with Date at `time` (timers stay real, so workflows and polls run on). */
async function at<T>(time: number, act: () => Promise<T>): Promise<T> {
  vi.setSystemTime(time);
  try {
    return await act();
  } finally {
    vi.useRealTimers();
  }
}

/** Waits until the task's pre-screen is done: it counts the task into the queue, and only then may a workflow start. */
async function prescreened(taskId: string): Promise<void> {
  while (!(await gateOf(taskId).prescreenHeard())) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** `count` tasks reviewers see, uploaded at `time`, whose gates start the workflow as soon as a decision comes. */
async function uploadAt(time: number, count: number): Promise<Task[]> {
  const tasks = await at(time, () => Promise.all(Array.from({ length: count }, () => createQueuedTask())));
  for (const task of tasks) await prescreened(task.taskId);
  return tasks;
}

/**
 * `reviewer` decides at `time`. The gate starts the workflow from an alarm it sets for that moment, which the runtime,
 * on the real clock, would reach only days later: it runs now, as passDeadline() runs the deadline's.
 */
async function decideAt(task: Task, time: number, decision: "approve" | "reject", reviewer: string): Promise<void> {
  await at(time, async () => {
    const token = await decisionToken(task.taskId, decision, { reviewer, ...(decision === "reject" && { reason: "off-topic" }) });
    expect((await decide(token)).status).toBe(200);
    expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
  });
}

/** Resolves once every task's workflow has recorded its outcome and finished with it. */
const finished = (tasks: Task[]) =>
  Promise.all(tasks.map((task) => waitForTask(task.taskId, (t) => ["completed", "failed", "rejected", "expired"].includes(t.status))));

/**
 * Seven uploads: one approved by ada an hour after upload and one missed deadline (26 hours before NOW, via the gate's
 * alarm), then in the busy hour three approvals (ada twice, grace once) and one reject (grace) after 2, 4, 6 and 10
 * minutes, and one task still waiting, uploaded 25 minutes before NOW.
 */
async function runScenario(): Promise<void> {
  const [old, missed] = (await uploadAt(T0, 2)) as [Task, Task];
  const busy = (await uploadAt(T1, 4)) as [Task, Task, Task, Task];
  await uploadAt(T1 + 5 * MINUTE, 1);
  await decideAt(old, T0 + HOUR, "approve", "ada");
  await passDeadline(missed);
  await decideAt(busy[0], T1 + 2 * MINUTE, "approve", "ada");
  await decideAt(busy[1], T1 + 4 * MINUTE, "approve", "ada");
  await decideAt(busy[2], T1 + 6 * MINUTE, "approve", "grace");
  await decideAt(busy[3], T1 + 10 * MINUTE, "reject", "grace");
  await finished([old, missed, ...busy]);
}

const EXPECTED: Metrics = {
  generatedAt: new Date(NOW).toISOString(),
  queue: { depth: 1, oldestPendingAgeMs: 25 * MINUTE },
  decisionsPerHour: { lastHour: 4, average24h: 4 / 24 },
  windows: {
    "24h": {
      decisions: 4,
      approvals: 3,
      rejections: 1,
      // Nearest rank over 2, 4, 6, 10 minutes: the 2nd and the 4th.
      timeToDecisionMs: { p50: 4 * MINUTE, p95: 10 * MINUTE },
      missedDeadlines: 1,
      reviewers: [
        { id: "U-ada", name: "ada", approve: 2, reject: 0 },
        { id: "U-grace", name: "grace", approve: 1, reject: 1 },
      ],
    },
    "7d": {
      decisions: 5,
      approvals: 4,
      rejections: 1,
      // Over 2, 4, 6, 10, 60 minutes: the 3rd and the 5th.
      timeToDecisionMs: { p50: 6 * MINUTE, p95: 60 * MINUTE },
      missedDeadlines: 1,
      reviewers: [
        { id: "U-ada", name: "ada", approve: 3, reject: 0 },
        { id: "U-grace", name: "grace", approve: 1, reject: 1 },
      ],
    },
  },
};

const metricsObject = () => env.METRICS.get(env.METRICS.idFromName("queue"));

// The pool keeps Durable Object storage for the whole file, and there is one metrics object: each test starts it empty.
beforeEach(() =>
  runInDurableObject(metricsObject(), (_: QueueMetrics, state) => {
    for (const table of ["events", "pending", "hours"]) state.storage.sql.exec(`DELETE FROM ${table}`);
    state.storage.sql.exec("UPDATE depth SET tasks = 0");
  }),
);

const readMetrics = (init: RequestInit = {}, query = "") =>
  at(NOW, () => api(`/v1/metrics${query}`, { ...init, headers: { ...asReviewer(), ...init.headers } }));

/** Prometheus's text format, line by line: each family's HELP and TYPE come before its samples. */
function parsePrometheus(text: string): Map<string, number> {
  expect(text.endsWith("\n")).toBe(true);
  const described = new Map<string, string[]>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split("\n")) {
    const comment = /^# (HELP|TYPE) (greenlight_[a-z0-9_]+) (.+)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment;
      if (kind === "TYPE") expect(rest, line).toBe("gauge");
      described.set(name!, [...(described.get(name!) ?? []), kind!]);
      continue;
    }
    const sample = /^(greenlight_[a-z0-9_]+)(\{(?:[a-z_]+="(?:[^"\\\n]|\\.)*",?)*\})? (-?\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(line);
    expect(sample, `not a sample: ${line}`).not.toBeNull();
    expect(described.get(sample![1]!), `HELP and TYPE before ${line}`).toEqual(["HELP", "TYPE"]);
    samples.set(`${sample![1]}${sample![2] ?? ""}`, Number(sample![3]));
  }
  return samples;
}

describe("GET /v1/metrics", () => {
  it("counts exactly what happened: uploads, approvals by two reviewers, a reject, a missed deadline", {
    timeout: SCENARIO_MS,
  }, async () => {
    await runScenario();
    const response = await readMetrics();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(EXPECTED);
  });

  it("answers in Prometheus's text format for ?format=prometheus and for a scraper's Accept header", { timeout: SCENARIO_MS }, async () => {
    await runScenario();
    const byQuery = await readMetrics({}, "?format=prometheus");
    // What Prometheus 2 sends: OpenMetrics first, then the text format, then anything.
    const scraperAccept =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    const byAccept = await readMetrics({ headers: { accept: scraperAccept } });
    const byPlainAccept = await readMetrics({ headers: { accept: "text/plain" } });
    for (const response of [byQuery, byAccept, byPlainAccept]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(response.headers.get("vary")).toBe("Accept");
    }
    const text = await byQuery.text();
    expect(await byAccept.text()).toBe(text);
    expect(await byPlainAccept.text()).toBe(text);
    expect(Object.fromEntries(parsePrometheus(text))).toEqual({
      greenlight_queue_depth: 1,
      greenlight_oldest_pending_age_seconds: 1500,
      greenlight_decisions_last_hour: 4,
      greenlight_decisions_per_hour_average_24h: 4 / 24,
      'greenlight_decisions{window="24h",decision="approve"}': 3,
      'greenlight_decisions{window="24h",decision="reject"}': 1,
      'greenlight_decisions{window="7d",decision="approve"}': 4,
      'greenlight_decisions{window="7d",decision="reject"}': 1,
      'greenlight_time_to_decision_seconds{window="24h",quantile="0.5"}': 240,
      'greenlight_time_to_decision_seconds{window="24h",quantile="0.95"}': 600,
      'greenlight_time_to_decision_seconds{window="7d",quantile="0.5"}': 360,
      'greenlight_time_to_decision_seconds{window="7d",quantile="0.95"}': 3600,
      'greenlight_missed_deadlines{window="24h"}': 1,
      'greenlight_missed_deadlines{window="7d"}': 1,
      'greenlight_reviewer_decisions{window="24h",reviewer="U-ada",decision="approve"}': 2,
      'greenlight_reviewer_decisions{window="24h",reviewer="U-ada",decision="reject"}': 0,
      'greenlight_reviewer_decisions{window="24h",reviewer="U-grace",decision="approve"}': 1,
      'greenlight_reviewer_decisions{window="24h",reviewer="U-grace",decision="reject"}': 1,
      'greenlight_reviewer_decisions{window="7d",reviewer="U-ada",decision="approve"}': 3,
      'greenlight_reviewer_decisions{window="7d",reviewer="U-ada",decision="reject"}': 0,
      'greenlight_reviewer_decisions{window="7d",reviewer="U-grace",decision="approve"}': 1,
      'greenlight_reviewer_decisions{window="7d",reviewer="U-grace",decision="reject"}': 1,
    });
  });

  it("answers JSON to a browser's or curl's Accept header", async () => {
    for (const accept of ["*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]) {
      const response = await readMetrics({ headers: { accept } });
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(((await response.json()) as Metrics).queue).toEqual({ depth: 0, oldestPendingAgeMs: null });
    }
  });

  it("leaves out the samples that have no value: no waiting task, no decision", async () => {
    const text = await (await readMetrics({}, "?format=prometheus")).text();
    const samples = parsePrometheus(text);
    expect(samples.get("greenlight_queue_depth")).toBe(0);
    expect([...samples.keys()].filter((name) => /oldest_pending|time_to_decision|reviewer_decisions/.test(name))).toEqual([]);
    expect(text).toContain("# TYPE greenlight_time_to_decision_seconds gauge\n");
  });

  it("refuses a request without the reviewer token with 401, and a client key too", async () => {
    const expected = { error: { code: "unauthorized", message: "A valid Authorization: Bearer <key> header is required." } };
    const anonymous = await api("/v1/metrics");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual(expected);
    const client = await api("/v1/metrics?format=prometheus", { headers: { authorization: "Bearer dev-client-key" } });
    expect(client.status).toBe(401);
    expect(await client.json()).toEqual(expected);
  });

  it("refuses an unknown format with 400 invalid_request", async () => {
    const response = await readMetrics({}, "?format=xml");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request", details: { issues: [{ path: "format" }] } } });
  });
});

describe("review events", () => {
  it("counts an idempotent upload replay once", async () => {
    const headers = { "idempotency-key": "metrics-replay" };
    const task = await at(T1, async () => {
      const first = await postImage({ headers });
      expect(first.status).toBe(202);
      expect((await postImage({ headers })).headers.get("idempotent-replayed")).toBe("true");
      return (await first.json()) as Task;
    });
    await prescreened(task.taskId);
    expect(((await (await readMetrics()).json()) as Metrics).queue).toEqual({ depth: 1, oldestPendingAgeMs: 30 * MINUTE });
  });

  it("takes a task deleted while it waits out of the queue, counting no decision and no missed deadline", async () => {
    const [kept, deleted] = (await uploadAt(T1, 2)) as [Task, Task];
    await at(T1 + MINUTE, async () => {
      expect((await api(`/v1/tasks/${deleted.taskId}`, { method: "DELETE", headers: asClient() })).status).toBe(204);
    });
    const metrics = (await (await readMetrics()).json()) as Metrics;
    expect(metrics.queue).toEqual({ depth: 1, oldestPendingAgeMs: NOW - Date.parse(kept.createdAt) });
    expect(metrics.windows["24h"]).toMatchObject({ decisions: 0, missedDeadlines: 0 });
  });

  it("counts a retried 'record decision' step once", { timeout: SCENARIO_MS }, async () => {
    const [task] = (await uploadAt(T1, 1)) as [Task];
    await decideAt(task, T1 + 3 * MINUTE, "reject", "ada");
    await finished([task]);
    // The step's work again, as a retry after a lost answer would do it.
    const record = (await getTaskRecord(env, task.taskId))!;
    await recordDecisionOutcome(env, record, decisionChange(record, await settleReview(env, task.taskId)), new Date(NOW).toISOString());

    const metrics = (await (await readMetrics()).json()) as Metrics;
    expect(metrics.queue.depth).toBe(0);
    expect(metrics.windows["24h"]).toEqual({
      decisions: 1,
      approvals: 0,
      rejections: 1,
      timeToDecisionMs: { p50: 3 * MINUTE, p95: 3 * MINUTE },
      missedDeadlines: 0,
      reviewers: [{ id: "U-ada", name: "ada", approve: 0, reject: 1 }],
    });
  });

  it("keeps the peak depth per hour, carries it through quiet hours, and the median time to decision", async () => {
    const hours = await runInDurableObject(metricsObject(), (instance: QueueMetrics) => {
      for (const [taskId, at] of [
        ["a", T0],
        ["b", T0 + MINUTE],
        ["c", T0 + 2 * MINUTE],
      ] as const) {
        instance.record({ kind: "accepted", taskId, at }, at);
      }
      const reviewer = { id: "U-ada", name: "ada" };
      instance.record(
        { kind: "decided", taskId: "a", at: T0 + HOUR + MINUTE, reviewer, decision: "approve", waitMs: HOUR },
        T0 + HOUR + MINUTE,
      );
      instance.record(
        { kind: "decided", taskId: "b", at: T0 + HOUR + 2 * MINUTE, reviewer, decision: "approve", waitMs: HOUR + MINUTE },
        T0 + HOUR + 2 * MINUTE,
      );
      instance.record({ kind: "expired", taskId: "c", at: T0 + 3 * HOUR }, T0 + 3 * HOUR);
      return instance.hourly(T0 + 3 * HOUR + MINUTE, 5);
    });
    expect(hours).toEqual([
      { hour: T0 - HOUR, peakDepth: 0, p50Ms: null },
      { hour: T0, peakDepth: 3, p50Ms: null },
      // Two decisions: the median by nearest rank is the first.
      { hour: T0 + HOUR, peakDepth: 3, p50Ms: HOUR },
      { hour: T0 + 2 * HOUR, peakDepth: 1, p50Ms: null },
      { hour: T0 + 3 * HOUR, peakDepth: 1, p50Ms: null },
    ]);
  });

  it("deletes events older than 8 days as new ones arrive", async () => {
    const rows = await runInDurableObject(metricsObject(), (instance: QueueMetrics, state) => {
      instance.record({ kind: "accepted", taskId: "old", at: T0 }, T0);
      instance.record({ kind: "accepted", taskId: "new", at: T0 + 8 * DAY + MINUTE }, T0 + 8 * DAY + MINUTE);
      return state.storage.sql.exec<{ task_id: string }>("SELECT task_id FROM events").toArray();
    });
    expect(rows).toEqual([{ task_id: "new" }]);
  });
});

describe("the console's dashboard", () => {
  async function dashboardPage(): Promise<Response> {
    return at(NOW, async () => {
      const signIn = await api("/console/sign-in", {
        method: "POST",
        redirect: "manual",
        headers: { origin: ORIGIN },
        body: new URLSearchParams({ token: REVIEWER_TOKEN, name: "Grace" }),
      });
      const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0]!;
      return api("/console/dashboard", { headers: { cookie } });
    });
  }

  it("shows the figures, the tables and the chart's hourly series", { timeout: SCENARIO_MS }, async () => {
    await runScenario();
    const response = await dashboardPage();
    expect(response.status).toBe(200);
    const markup = await response.text();
    expect(markup).toContain('<a href="/console/dashboard">Dashboard</a>');
    expect(markup).toContain('<dd data-figure="depth">1</dd>');
    expect(markup).toContain('<dd data-figure="oldest">25 min</dd>');
    expect(markup).toContain('<dd data-figure="last-hour">4</dd>');
    expect(markup).toContain('<dd data-figure="average">0.2</dd>');
    expect(markup).toContain(
      '<tr data-window="24h"><th scope="row">Last 24 hours</th><td>3</td><td>1</td><td>4 min</td><td>10 min</td><td>1</td></tr>',
    );
    expect(markup).toContain(
      '<tr data-window="7d"><th scope="row">Last 7 days</th><td>4</td><td>1</td><td>6 min</td><td>1 h 0 min</td><td>1</td></tr>',
    );
    expect(markup).toContain(
      '<tr data-window="7d" data-reviewer="U-ada"><td>Last 7 days</td><th scope="row">ada</th><td>3</td><td>0</td></tr>',
    );
    expect(markup).toContain('<script src="/console/assets/uplot.js" defer></script>');

    const series = JSON.parse(/data-series="([^"]+)"/.exec(markup)![1]!.replaceAll("&quot;", '"')) as {
      hours: number[];
      depth: number[];
      p50Minutes: (number | null)[];
    };
    expect(series.hours).toHaveLength(7 * 24);
    expect(series.hours.at(-1)).toBe((Math.floor(NOW / HOUR) * HOUR) / 1000);
    // The busy hour's median: 4 minutes (nearest rank over 2, 4, 6, 10).
    expect(series.p50Minutes.at(-1)).toBe(4);
    expect(series.depth).toHaveLength(7 * 24);
  });

  it("serves uPlot from the console's own assets", async () => {
    const script = await api("/console/assets/uplot.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toMatch(/^\/\*! https:\/\/github\.com\/leeoniya\/uPlot \(v1\.6\.\d+\) \*\/\nvar uPlot=/);
    const style = await api("/console/assets/uplot.css");
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await style.text()).toMatch(/^\.uplot, \.uplot \*/);
    expect(await (await api("/console/assets/dashboard.js")).text()).toContain("new uPlot(");
  });
});
