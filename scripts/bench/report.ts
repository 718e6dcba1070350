// The bench's tables: each Greenlight figure beside its baseline and their ratio, then latencies, claims and resources.
import { type ClaimLevel, type ClaimSample, UNANNOUNCED } from "./claims.ts";
import type { LatencyFigures } from "./latencies.ts";
import type { Peak } from "./resources.ts";
import { int, num, percentile, ratio } from "./stats.ts";
import { type Row, table } from "./table.ts";
import type { Figures } from "./throughput.ts";

export type Settings = {
  imageBytes: number;
  connections: number;
  rounds: number;
  roundSeconds: number;
  latencySamples: number;
  idleSeconds: number;
  leaseSeconds: number;
};

export type Results = {
  uploads?: Figures[];
  reads?: Figures[];
  latencies?: LatencyFigures;
  claims?: ClaimLevel[];
  peaks: Peak[];
  notes: string[];
};

const failures = (figures: Figures) =>
  Object.entries(figures.statuses)
    .map(([status, count]) => `${int(count)} x ${status}`)
    .join(", ");

/** Rows of figures with Greenlight first and each baseline followed by Greenlight's ratio to it. */
function sideBySide(all: Figures[], unit: string): Row[] {
  const [greenlight, ...baselines] = all;
  if (!greenlight) return [];
  const row = (label: string, pick: (figures: Figures) => number, show = num, compare = true): Row => [
    label,
    show(pick(greenlight)),
    ...baselines.flatMap((baseline) => [show(pick(baseline)), compare ? ratio(pick(greenlight), pick(baseline)) : ""]),
  ];
  return [
    row(`${unit}/s`, (figures) => figures.perSecond),
    ["  slowest / fastest round", range(greenlight.perRound), ...baselines.flatMap((baseline) => [range(baseline.perRound), ""])],
    row("p50 ms", (figures) => figures.p50, int),
    row("p99 ms", (figures) => figures.p99, int),
    row("non-2xx", (figures) => figures.non2xx, int, false),
    row("no answer (error, or none in 30 s)", (figures) => figures.errors, int, false),
    row(`stack CPU ms per ${unit.replace(/s$/, "")}`, (figures) => figures.cpuMsEach),
  ];
}

const rounds = ({ rounds, roundSeconds }: Settings) => `${rounds} round${rounds === 1 ? "" : "s"} of ${roundSeconds} s`;
const range = (values: number[]) => (values.length ? `${num(Math.min(...values))} / ${num(Math.max(...values))}` : "-");

export function uploadsTable(figures: Figures[], settings: Settings): string {
  const header = ["", ...figures.flatMap((target, index) => (index === 0 ? [target.name] : [target.name, "ratio"]))];
  const notes = [
    `ratio: Greenlight's figure over the baseline to its left. Issue 10's target: uploads/s at least ×0.8 its same-work baseline (R2 + Durable Object + KV + Workflow create); alarm + Queue is the stricter one of the upload as it is now.`,
    "stack CPU: all the stack's processes (workerd, wrangler, Node), through the round and the work it left behind.",
    ...figures.filter((target) => target.non2xx).map((target) => `${target.name}: ${failures(target)}`),
  ];
  return table(
    `Uploads: POST a raw PNG of ${int(settings.imageBytes)} bytes, ${settings.connections} connections, ${rounds(settings)} per column, interleaved`,
    header,
    sideBySide(figures, "uploads"),
    notes,
  );
}

export function readsTable(figures: Figures[], settings: Settings): string {
  const header = ["", ...figures.flatMap((target, index) => (index === 0 ? [target.name] : [target.name, "ratio"]))];
  return table(
    `Status reads: GET, ${settings.connections} connections, ${rounds(settings)} per column, interleaved`,
    header,
    sideBySide(figures, "reads"),
    [
      "Issue 10's target: reads/s at least ×0.8 a bare KV read.",
      ...figures.filter((target) => target.non2xx).map((target) => `${target.name}: ${failures(target)}`),
    ],
  );
}

export function latenciesTable(figures: LatencyFigures, settings: Settings): string {
  const row = (label: string, samples: number[], expected: number): Row => [
    label,
    int(percentile(samples, 50)),
    int(percentile(samples, 95)),
    `${samples.length}/${expected}`,
  ];
  return table(
    `Latencies: one task at a time, PNGs of ${int(settings.imageBytes)} bytes, ${settings.latencySamples} approved and ${settings.latencySamples} rejected, with a callback`,
    ["", "p50 ms", "p95 ms", "samples"],
    [
      row("upload 202 -> listed by GET /v1/reviews", figures.visible, 2 * settings.latencySamples),
      row("decision 200 -> callback, approve (tags first)", figures.approve, settings.latencySamples),
      row("decision 200 -> callback, reject", figures.reject, settings.latencySamples),
      row("the embedded tagger alone, POST /tag", figures.tagger, settings.latencySamples),
    ],
    [
      "Issue 10's targets: listed p95 under 1 s; approve p50 at most 150 ms plus the tagger's own time.",
      ...figures.failures.slice(0, 5),
      ...(figures.failures.length > 5 ? [`... and ${figures.failures.length - 5} more failures`] : []),
    ],
  );
}

export function claimsTable(levels: ClaimLevel[], settings: Settings): string {
  const base = levels[0];
  const typical = (level: ClaimLevel | undefined) =>
    percentile(
      ok(level?.backToBack ?? []).map((sample) => sample.ms),
      50,
    );
  const idle = (level: ClaimLevel | undefined) => (level?.idle?.status === 200 ? level.idle.ms : undefined);
  const rows = levels.map(
    (level): Row => [
      `${int(level.pending)}${level.pending < level.target ? ` of ${int(level.target)}` : ""}`,
      int(level.announced),
      num(level.seeding.perSecond),
      int(typical(level)),
      int(Math.max(...ok(level.backToBack).map((sample) => sample.ms))),
      ratio(typical(level), typical(base)),
      level.idle ? int(level.idle.ms) : "-",
      ratio(idle(level), idle(base)),
      items(level),
      [level.seeding.failures, level.claimFailures, level.announceFailures, tallyOf(level.backToBack.concat(level.idle ?? []))]
        .map(serverFailures)
        .join(" / "),
    ],
  );
  const notes = levels.flatMap((level) => [
    ...level.notes,
    ...describe(`${int(level.target)}: seeding`, level.seeding.failures),
    ...describe(`${int(level.target)}: claims while announcing`, level.claimFailures),
    ...describe(`${int(level.target)}: announcements`, level.announceFailures),
    ...describe(`${int(level.target)}: measured claims`, tallyOf(level.backToBack.concat(level.idle ?? []))),
  ]);
  return table(
    `Claims: POST /v1/reviews/claim {"limit":${UNANNOUNCED}}, all but ${UNANNOUNCED} pending tasks announced (seeded through the API, CLAIM_LEASE ${settings.leaseSeconds} s)`,
    [
      "pending",
      "announced",
      "seeded/s",
      "b2b p50 ms",
      "b2b max ms",
      "ratio",
      `after ${settings.idleSeconds} s idle ms`,
      "ratio",
      "items",
      "failed",
    ],
    rows,
    [
      `b2b: ${base?.backToBack.length ?? 0} claims, each as soon as the last one's lease ran out; ratio: over the first row. Issue 10's target: ×1.5 at most at 10,000.`,
      "items: what the measured claims handed out (each should be 50).",
      "failed: 5xx or no answer, to uploads while seeding / claims while announcing / announcements / measured claims.",
      ...notes,
    ],
  );
}

const ok = (samples: ClaimSample[]) => samples.filter((sample) => sample.status === 200);
/** Statuses of the claims that did not answer 200, counted: {"500": 6}. */
const tallyOf = (samples: ClaimSample[]) => {
  const tally: Record<string, number> = {};
  for (const { status } of samples) if (status !== 200) tally[status || "error"] = (tally[status || "error"] ?? 0) + 1;
  return tally;
};
const items = (level: ClaimLevel) =>
  [...new Set([...level.backToBack, ...(level.idle ? [level.idle] : [])].map((sample) => sample.items))].join("/");
const serverFailures = (tally: Record<string, number>) =>
  int(Object.entries(tally).reduce((sum, [status, count]) => sum + (status.startsWith("5") || status === "error" ? count : 0), 0));
const describe = (what: string, tally: Record<string, number>) =>
  Object.keys(tally).length
    ? [
        `${what}: ${Object.entries(tally)
          .map(([status, count]) => `${int(count)} x ${status}`)
          .join(", ")}`,
      ]
    : [];

export function resourcesTable(peaks: Peak[]): string {
  return table(
    "Peak memory and open files, sampled from /proc every second (VmHWM for memory)",
    ["process", "peak RSS MB", "peak open fds"],
    peaks.map((peak) => [`${peak.group}: ${peak.process}`, int(peak.rssMb), int(peak.openFds)]),
  );
}
