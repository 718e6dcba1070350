// Queue health as GET /v1/metrics and the console's dashboard show it, and its Prometheus text exposition.
import { z } from "zod";

export const METRIC_WINDOWS = { "24h": 24 * 3_600_000, "7d": 7 * 24 * 3_600_000 } as const;
export type MetricWindow = keyof typeof METRIC_WINDOWS;

const ReviewerCountsSchema = z.object({
  id: z.string(),
  name: z.string(),
  approve: z.number().int(),
  reject: z.number().int(),
});

export const WindowMetricsSchema = z.object({
  decisions: z.number().int(),
  approvals: z.number().int(),
  rejections: z.number().int(),
  timeToDecisionMs: z
    .object({ p50: z.number().int().nullable(), p95: z.number().int().nullable() })
    .meta({ description: "From upload to decision, nearest-rank percentiles; null with no decision in the window." }),
  missedDeadlines: z.number().int().meta({ description: "Tasks whose review deadline passed without a decision." }),
  reviewers: z.array(ReviewerCountsSchema).meta({ description: "Decisions per reviewer id, most decisions first." }),
});
export type WindowMetrics = z.infer<typeof WindowMetricsSchema>;

export const MetricsSchema = z.object({
  generatedAt: z.iso.datetime(),
  queue: z.object({
    depth: z.number().int().meta({ description: "Tasks waiting for a decision." }),
    oldestPendingAgeMs: z.number().int().nullable().meta({ description: "Age of the oldest waiting task; null when none waits." }),
  }),
  decisionsPerHour: z.object({
    lastHour: z.number().int(),
    average24h: z.number().meta({ description: "Decisions in the last 24 hours divided by 24." }),
  }),
  windows: z.object({ "24h": WindowMetricsSchema, "7d": WindowMetricsSchema }),
});
export type Metrics = z.infer<typeof MetricsSchema>;

/** One hour of the dashboard's chart: the deepest the queue was, and the median time to the decisions made in it. */
export type HourlyPoint = { hour: number; peakDepth: number; p50Ms: number | null };

// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Sample = { labels?: Record<string, string>; value: number };

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function family(name: string, help: string, samples: Sample[]): string[] {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...samples.map(({ labels = {}, value }) => {
      const pairs = Object.entries(labels).map(([key, label]) => `${key}="${escapeLabel(label)}"`);
      return `${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${value}`;
    }),
  ];
}

const windowed = (metrics: Metrics, sample: (window: WindowMetrics, name: MetricWindow) => Sample[]) =>
  (Object.keys(METRIC_WINDOWS) as MetricWindow[]).flatMap((name) => sample(metrics.windows[name], name));

const seconds = (ms: number) => ms / 1000;

/** The figures in Prometheus's text format; every figure is a gauge, windows and quantiles are labels. */
export function toPrometheus(metrics: Metrics): string {
  const { queue, decisionsPerHour } = metrics;
  return [
    ...family("greenlight_queue_depth", "Tasks waiting for a decision.", [{ value: queue.depth }]),
    ...family(
      "greenlight_oldest_pending_age_seconds",
      "Age of the oldest task waiting for a decision; no sample when none waits.",
      queue.oldestPendingAgeMs === null ? [] : [{ value: seconds(queue.oldestPendingAgeMs) }],
    ),
    ...family("greenlight_decisions_last_hour", "Decisions made in the last hour.", [{ value: decisionsPerHour.lastHour }]),
    ...family("greenlight_decisions_per_hour_average_24h", "Decisions per hour, averaged over the last 24 hours.", [
      { value: decisionsPerHour.average24h },
    ]),
    ...family(
      "greenlight_decisions",
      "Decisions made in the window.",
      windowed(metrics, (w, window) => [
        { labels: { window, decision: "approve" }, value: w.approvals },
        { labels: { window, decision: "reject" }, value: w.rejections },
      ]),
    ),
    ...family(
      "greenlight_time_to_decision_seconds",
      "Time from upload to decision in the window, by quantile; no sample without decisions.",
      windowed(metrics, ({ timeToDecisionMs }, window) =>
        (["p50", "p95"] as const).flatMap((key) => {
          const ms = timeToDecisionMs[key];
          return ms === null ? [] : [{ labels: { window, quantile: key === "p50" ? "0.5" : "0.95" }, value: seconds(ms) }];
        }),
      ),
    ),
    ...family(
      "greenlight_missed_deadlines",
      "Tasks whose review deadline passed without a decision, in the window.",
      windowed(metrics, (w, window) => [{ labels: { window }, value: w.missedDeadlines }]),
    ),
    ...family(
      "greenlight_reviewer_decisions",
      "Decisions per reviewer in the window.",
      windowed(metrics, (w, window) =>
        w.reviewers.flatMap((r) => [
          { labels: { window, reviewer: r.id, decision: "approve" }, value: r.approve },
          { labels: { window, reviewer: r.id, decision: "reject" }, value: r.reject },
        ]),
      ),
    ),
    "",
  ].join("\n");
}
