// The dashboard: the queue's health in figures and tables, and the data and hooks for its chart (drawn by uPlot).
import { html } from "hono/html";
import { type HourlyPoint, METRIC_WINDOWS, type Metrics, type MetricWindow } from "../domain/metrics.ts";
import { duration } from "./format.ts";
import type { Html } from "./layout.ts";

const WINDOW_NAMES: Record<MetricWindow, string> = { "24h": "Last 24 hours", "7d": "Last 7 days" };
const windows = Object.keys(METRIC_WINDOWS) as MetricWindow[];

const timeOrNone = (ms: number | null) => (ms === null ? "none" : duration(ms));

/** The chart's series as uPlot takes them: x in Unix seconds, a gap (null) for an hour without decisions. */
export const chartSeries = (history: HourlyPoint[]) => ({
  hours: history.map((point) => point.hour / 1000),
  depth: history.map((point) => point.peakDepth),
  p50Minutes: history.map((point) => (point.p50Ms === null ? null : Math.round(point.p50Ms / 6_000) / 10)),
});

export function dashboardView(metrics: Metrics, history: HourlyPoint[]): Html {
  const { queue, decisionsPerHour } = metrics;
  return html`<h1>Queue health</h1>
<dl class="meta figures">
  <dt>Waiting now</dt><dd data-figure="depth">${queue.depth}</dd>
  <dt>Oldest waiting</dt><dd data-figure="oldest">${queue.oldestPendingAgeMs === null ? "none" : duration(queue.oldestPendingAgeMs)}</dd>
  <dt>Decisions in the last hour</dt><dd data-figure="last-hour">${decisionsPerHour.lastHour}</dd>
  <dt>Decisions per hour, 24-hour average</dt><dd data-figure="average">${decisionsPerHour.average24h.toFixed(1)}</dd>
</dl>
<div class="scroll"><table class="sessions">
<caption>Decisions and deadlines</caption>
<thead><tr><th scope="col">Window</th><th scope="col">Approved</th><th scope="col">Rejected</th><th scope="col">Time to decision, median</th><th scope="col">95th percentile</th><th scope="col">Missed deadlines</th></tr></thead>
<tbody>${windows.map((name) => {
    const w = metrics.windows[name];
    return html`<tr data-window="${name}"><th scope="row">${WINDOW_NAMES[name]}</th><td>${w.approvals}</td><td>${w.rejections}</td><td>${timeOrNone(w.timeToDecisionMs.p50)}</td><td>${timeOrNone(w.timeToDecisionMs.p95)}</td><td>${w.missedDeadlines}</td></tr>`;
  })}</tbody>
</table></div>
<div class="scroll"><table class="sessions">
<caption>Decisions per reviewer</caption>
<thead><tr><th scope="col">Window</th><th scope="col">Reviewer</th><th scope="col">Approved</th><th scope="col">Rejected</th></tr></thead>
<tbody>${windows.flatMap((name) =>
    metrics.windows[name].reviewers.map(
      (r) =>
        html`<tr data-window="${name}" data-reviewer="${r.id}"><td>${WINDOW_NAMES[name]}</td><th scope="row">${r.name}</th><td>${r.approve}</td><td>${r.reject}</td></tr>`,
    ),
  )}</tbody>
</table></div>
<h2>Last 7 days</h2>
<div id="history" class="chart" role="img" aria-label="Chart of the peak queue depth and the median time to decision per hour over the last 7 days; the figures above hold the same." data-series="${JSON.stringify(chartSeries(history))}"></div>
<link rel="stylesheet" href="/console/assets/uplot.css">
<script src="/console/assets/uplot.js" defer></script>
<script src="/console/assets/dashboard.js" defer></script>`;
}

// Runs after uplot.js (both deferred, in order): the series come from the page, so the script itself is static.
export const DASHBOARD_SCRIPT = `
const chart = document.getElementById("history");
if (chart && window.uPlot) {
  const { hours, depth, p50Minutes } = JSON.parse(chart.dataset.series);
  new uPlot({
    width: Math.max(320, chart.clientWidth), height: 320,
    scales: { x: { time: true }, depth: {}, minutes: {} },
    series: [
      {},
      { label: "Peak queue depth", scale: "depth", stroke: "#0b5cad", width: 2 },
      { label: "Median time to decision (min)", scale: "minutes", stroke: "#a61b1b", width: 2 },
    ],
    axes: [{}, { scale: "depth", label: "tasks" }, { scale: "minutes", side: 1, label: "minutes", grid: { show: false } }],
  }, [hours, depth, p50Minutes], chart);
}`;
