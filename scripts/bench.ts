// Usage: npm run bench [-- --quick]   (env: GREENLIGHT_TRACING=1 keeps wrangler's local tracing on; it is off by default)
// Measures Greenlight on the local stack against a bare Worker on the same runtime (wrangler dev --local, this machine),
// rounds interleaved, and prints each figure beside its baseline: uploads, status reads, latencies to the queue and to
// the callback, claims at growing backlogs, peak memory and open files. It measures and never fails on a slow figure;
// it exits 1 only when a stack cannot start or a phase could not run. At most about 17 minutes; --quick about 3.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { measureClaims } from "./bench/claims.ts";
import { startBareWorker } from "./bench/bare-worker.ts";
import { noisePngs } from "./bench/images.ts";
import { measureLatencies } from "./bench/latencies.ts";
import { startLoad } from "./bench/load.ts";
import { machine } from "./bench/machine.ts";
import { claimsTable, latenciesTable, readsTable, type Results, resourcesTable, type Settings, uploadsTable } from "./bench/report.ts";
import { ResourceMonitor, settle } from "./bench/resources.ts";
import { seconds } from "./bench/stats.ts";
import { interleavedRounds, type Target } from "./bench/throughput.ts";
import { startCallbackReceiver } from "./lib/callback-receiver.ts";
import { devClient, newestSetting, setting } from "./lib/dev-vars.ts";
import { stackClients } from "./lib/greenlight-client.ts";
import { type Stack, startStack, stopAllStacks } from "./lib/stack.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
const quick = values.quick;
// Most of a full run is the 10,000-pending claim level: every seeded task must be pre-screened before it can be
// announced, and on 2 cores the local stack pre-screens about 25 a second, so the level needs about 9 minutes.
const BUDGET_MS = (quick ? 5 : 17) * 60_000;
const LEASE_SECONDS = 2;
// Random pixels: each upload its own bytes and perceptual hash, and nothing for PNG's deflate to shrink.
const images = noisePngs(32, 100);
const settings: Settings = {
  imageBytes: images[0]?.byteLength ?? 0,
  connections: 50,
  rounds: quick ? 1 : 3,
  roundSeconds: quick ? 3 : 8,
  latencySamples: quick ? 3 : 12,
  idleSeconds: 20,
  leaseSeconds: LEASE_SECONDS,
};
const CLAIM_LEVELS = quick ? [100, 1_000] : [100, 1_000, 10_000];
const IDS_FOR_READS = 100;

const started = Date.now();
const log = (line: string) => {
  const elapsed = Math.round((Date.now() - started) / 1000);
  console.log(`[${String(Math.floor(elapsed / 60)).padStart(2, "0")}:${String(elapsed % 60).padStart(2, "0")}] ${line}`);
};

class StackFailed extends Error {}

const client = devClient(setting("CLIENT_KEYS"));
const credentials = { clientKey: client.key, reviewerToken: newestSetting("REVIEWER_TOKEN") };
const clientHeaders = { Authorization: `Bearer ${client.key}` };
const workDir = mkdtempSync(join(tmpdir(), "greenlight-bench-"));
const monitor = new ResourceMonitor();
const results: Results = { peaks: [], notes: [] };
const receiver = await startCallbackReceiver();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void finish(130));

const when = `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`;
log(`Greenlight bench${quick ? " --quick" : ""}: at most about ${BUDGET_MS / 60_000} minutes; the tables come at the end`);
monitor.start();

let exitCode = 0;
try {
  log("starting the local stack and the bare Worker side by side");
  const [greenlight, bare] = (await startAll([
    ["Greenlight", () => startStack(join(workDir, "greenlight"))],
    ["bare Worker", () => startBareWorker(join(workDir, "bare"))],
  ])) as [Stack, Stack];
  const api = stackClients(greenlight.baseUrl, credentials);
  const upload = {
    method: "POST",
    headers: { ...clientHeaders, "Content-Type": "image/png" },
    body: (index: number) => images[index % images.length] as Buffer,
  } as const;
  const greenlightIds: string[] = [];
  const bareIds: string[] = [];
  const collectInto = (ids: string[]) => (body: string) => {
    ids.push((JSON.parse(body) as { taskId: string }).taskId);
    return ids.length < IDS_FOR_READS;
  };
  const uploadTargets: Target[] = [
    {
      name: "Greenlight",
      stack: greenlight,
      load: { ...upload, baseUrl: greenlight.baseUrl, path: () => "/v1/tasks", collect: collectInto(greenlightIds) },
    },
    { name: "same work, Workflow", stack: bare, load: { ...upload, baseUrl: bare.baseUrl, path: () => "/upload/workflow" } },
    { name: "same work, alarm + Queue", stack: bare, load: { ...upload, baseUrl: bare.baseUrl, path: () => "/upload/alarm-queue" } },
    {
      name: "R2 + KV only",
      stack: bare,
      load: { ...upload, baseUrl: bare.baseUrl, path: () => "/upload/r2-kv", collect: collectInto(bareIds) },
    },
  ];
  const rounds = { rounds: settings.rounds, seconds: settings.roundSeconds, connections: settings.connections, settleMs: 60_000 };

  await phase("warm-up", async () => {
    for (const target of uploadTargets) await startLoad({ ...target.load, collect: undefined, connections: 5, amount: 20 }).done;
    await settle([greenlight, bare], 60_000);
  });
  await phase("latencies", async () => {
    results.latencies = await measureLatencies({
      stack: greenlight,
      api,
      receiver,
      decisionSecret: setting("DECISION_SIGNING_SECRET"),
      images,
      samples: settings.latencySamples,
      log,
    });
    await settle([greenlight, bare], 60_000);
  });
  await phase("uploads", async () => {
    results.uploads = await interleavedRounds(uploadTargets, rounds, log);
  });
  await phase("status reads", async () => {
    if (greenlightIds.length === 0 || bareIds.length === 0) throw new Error("no uploads succeeded, so there is nothing to read");
    const read = (baseUrl: string, prefix: string, ids: string[]) =>
      ({ method: "GET", baseUrl, headers: clientHeaders, path: (index: number) => `${prefix}${ids[index % ids.length]}` }) as const;
    results.reads = await interleavedRounds(
      [
        { name: "Greenlight GET /v1/tasks/:id", stack: greenlight, load: read(greenlight.baseUrl, "/v1/tasks/", greenlightIds) },
        { name: "one KV read", stack: bare, load: read(bare.baseUrl, "/records/", bareIds) },
      ],
      rounds,
      log,
    );
  });
  monitor.sample();
  await Promise.all([greenlight.stop(), bare.stop()]);

  log(`starting a fresh local stack for claims (CLAIM_LEASE ${LEASE_SECONDS} seconds)`);
  const [claimsStack] = (await startAll([
    ["Greenlight, claims", () => startStack(join(workDir, "claims"), { CLAIM_LEASE: `${LEASE_SECONDS} seconds` })],
  ])) as [Stack];
  await phase("claims", async () => {
    results.claims = await measureClaims(
      claimsStack,
      stackClients(claimsStack.baseUrl, credentials).reviewer.api,
      clientHeaders,
      {
        levels: CLAIM_LEVELS,
        backToBack: 5,
        idleSeconds: settings.idleSeconds,
        leaseMs: LEASE_SECONDS * 1000,
        seedConnections: settings.connections,
        deadline: started + BUDGET_MS,
      },
      log,
    );
  });
} catch (error) {
  // Whatever broke, the stacks are stopped and what was measured is printed.
  results.notes.push(
    error instanceof StackFailed ? error.message : `The bench broke: ${error instanceof Error ? error.stack : String(error)}`,
  );
  exitCode = 1;
}
await finish(exitCode);

/** Starts stacks side by side and watches each; throws StackFailed if any cannot start (finish() stops the rest). */
async function startAll(starters: [string, () => Promise<Stack>][]): Promise<Stack[]> {
  const outcomes = await Promise.allSettled(starters.map(([, start]) => start()));
  const failed = outcomes.flatMap((outcome, index) =>
    outcome.status === "rejected" ? [`${starters[index]?.[0]}: ${String(outcome.reason)}`] : [],
  );
  if (failed.length > 0) throw new StackFailed(`Could not start ${failed.join("\n")}`);
  const stacks = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<Stack>).value);
  for (const [index, stack] of stacks.entries()) monitor.watch(starters[index]?.[0] ?? "", stack);
  return stacks;
}

/** Runs one part of the bench; a failure is reported with the results and makes the exit code 1, and the rest runs. */
async function phase(name: string, run: () => Promise<void>) {
  const phaseStarted = Date.now();
  log(`${name}...`);
  try {
    await run();
    log(`${name} done in ${seconds(Date.now() - phaseStarted)}`);
  } catch (error) {
    const message = `${name} could not run: ${error instanceof Error ? error.message : String(error)}`;
    log(message);
    results.notes.push(message);
    exitCode = 1;
  }
}

async function finish(code: number): Promise<never> {
  monitor.sample();
  await stopAllStacks();
  await receiver.close();
  rmSync(workDir, { recursive: true, force: true });
  results.peaks = monitor.stop();
  console.log(`\nGreenlight bench${quick ? " --quick" : ""}, ${when}, ${seconds(Date.now() - started)}\n`);
  const tables = [
    machine()
      .map(([name, value]) => `  ${name.padEnd(10)}  ${value}`)
      .join("\n"),
    results.uploads && uploadsTable(results.uploads, settings),
    results.reads && readsTable(results.reads, settings),
    results.latencies && latenciesTable(results.latencies, settings),
    results.claims && claimsTable(results.claims, settings),
    resourcesTable(results.peaks),
    results.notes.length > 0 && results.notes.join("\n"),
  ];
  console.log(tables.filter(Boolean).join("\n\n"));
  process.exit(code);
}
