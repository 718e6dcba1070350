// Usage: npm start   (env: PORT=8787, GREENLIGHT_STATE_DIR=.wrangler/state, REVIEW_TIMEOUT, CLAIM_LEASE, MAX_UPLOAD_BYTES,
//                    GREENLIGHT_TRACING=1 to keep wrangler's local tracing on)
// Runs the whole pipeline on this machine with no account and no network: the embedded tagger service, and
// `wrangler dev --local` with local KV, R2, Durable Objects and Workflows calling it; waits for both, then prints
// where everything is.
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { devClient, devVarsFile, newestSetting, ROOT, setting } from "./lib/dev-vars.ts";
import { freePort, isPortFree, LOOPBACK } from "./lib/ports.ts";
import { startProcess, tail } from "./lib/start-process.ts";
import { StopWaiting } from "./lib/wait.ts";
import { localWranglerEnv, wranglerDevArgs } from "./lib/wrangler.ts";

const PASSED_THROUGH = ["REVIEW_TIMEOUT", "CLAIM_LEASE", "MAX_UPLOAD_BYTES"] as const;
const READY_TIMEOUT_MS = Number(process.env.GREENLIGHT_READY_TIMEOUT_MS ?? 90_000);
// Wrangler tears workerd down on SIGINT/SIGTERM; if it has not exited by then, it is stuck.
const STOP_GRACE_MS = 15_000;
const TAIL_LINES = 60;
// Once the stack is ready, a tagger that dies is started again on its port after these pauses (the last repeats); a
// tagger that ran this long before dying starts the pauses over. Meanwhile the Worker's tagging retries wait for it.
const TAGGER_RESTART_DELAYS_MS = [500, 2_000, 5_000, 15_000];
const TAGGER_STABLE_MS = 60_000;

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`PORT must be a port number, not "${process.env.PORT}"`);
const stateDir = resolve(process.env.GREENLIGHT_STATE_DIR ?? resolve(ROOT, ".wrangler/state"));
const baseUrl = `http://${LOOPBACK}:${port}`;

try {
  makeDirectory(stateDir);
  accessSync(stateDir, constants.W_OK);
} catch (error) {
  // workerd does not report an unusable persistence directory; it just never becomes ready.
  fail(`The state directory ${stateDir} cannot be written: ${error instanceof Error ? error.message : String(error)}`);
}
if (!(await isPortFree(port))) fail(`${LOOPBACK}:${port} is already in use; pick another with PORT=<port> npm start`);
// A fixed inspector port (9229) would stop a second stack from starting beside the first.
const inspectorPort = await freePort();
const taggerPort = await freePort();
const taggerUrl = `http://${LOOPBACK}:${taggerPort}`;

const ownDevVars = existsSync(resolve(ROOT, ".dev.vars"));
const overrides = PASSED_THROUGH.filter((name) => process.env[name]).map((name) => [name, process.env[name] as string] as const);
const args = [
  ...wranglerDevArgs({ port, inspectorPort, stateDir }),
  // Wrangler reads .dev.vars by itself; without one, the committed dev-only defaults stand in.
  ...(ownDevVars ? [] : ["--env-file", resolve(ROOT, ".dev.vars.example")]),
  ...[
    "ALLOW_LOOPBACK_CALLBACKS:true",
    "TAGGER:embedded",
    `LOCAL_TAGGER_URL:${taggerUrl}`,
    ...overrides.map(([name, value]) => `${name}:${value}`),
  ].flatMap((v) => ["--var", v]),
];

// Each child's startup chatter is kept back (and shown only if starting fails); once ready, its output streams through.
let ready = false;
let stopping = false;
let pendingTaggerRestart: (() => void) | undefined;
const wrangler = startProcess({
  what: "wrangler",
  command: process.execPath,
  args,
  env: localWranglerEnv(),
  ready: (output) => health(output),
  readyTimeoutMs: READY_TIMEOUT_MS,
  intervalMs: 250,
  stopTimeoutMs: STOP_GRACE_MS,
  echo: () => ready,
  keepLines: TAIL_LINES,
});
// The embedded tagger stands in for Workers AI, which cannot run locally; it loads its models while wrangler starts.
let tagger = startTagger();

const wranglerExited = wrangler.exited.then((code) => ({ name: "wrangler", code }));
// Settles only when the tagger is down for good: it died before the stack was ready, or the stack is stopping.
const taggerExited = new Promise<{ name: string; code: number }>((resolveExit) => superviseTagger(resolveExit));
const exited = Promise.race([wranglerExited, taggerExited]);
forwardSignals();

// Either child failing to start (it exited, timed out, or the Worker answered with an error) stops both.
const failure = await Promise.all([tagger.ready, wrangler.ready]).then(
  () => undefined,
  (error: Error) => error.message,
);
if (failure !== undefined) {
  if (stopping) await shutDown((await exited).code);
  console.error(`${failure}\n\nThe stack did not start; stopping.`);
  await shutDown(1);
}

ready = true;
printSummary();
const stopped = await exited;
console.log(`${stopped.name} exited with code ${stopped.code}`);
await shutDown(stopped.code);

/** Stops whichever child is still running (its signal, then SIGKILL after the grace period), waits for both, and exits. */
async function shutDown(code: number): Promise<never> {
  stopping = true;
  pendingTaggerRestart?.();
  await Promise.all([wrangler.stop().catch(() => undefined), tagger.stop().catch(() => undefined), taggerExited]);
  process.exit(code);
}

function startTagger() {
  const child = startProcess({
    what: "the embedded tagger",
    command: process.execPath,
    args: ["--no-warnings", resolve(ROOT, "worker/local-tagger/server.ts")],
    env: { PORT: String(taggerPort) },
    ready: () => taggerHealth(),
    readyTimeoutMs: READY_TIMEOUT_MS,
    intervalMs: 250,
    stopTimeoutMs: STOP_GRACE_MS,
    echo: () => ready,
    keepLines: TAIL_LINES,
  });
  // The startup awaits the first tagger's readiness; a restarted one that never answers is stopped, and so restarted.
  child.ready.catch(() => undefined);
  return child;
}

/** Starts the tagger again whenever it dies after the stack is ready; calls `done` once it is down for good. */
function superviseTagger(done: (exit: { name: string; code: number }) => void, restarts = 0) {
  const startedAt = Date.now();
  void tagger.exited.then((code) => {
    const exit = { name: "the embedded tagger", code };
    if (!ready || stopping) return done(exit);
    const attempt = Date.now() - startedAt >= TAGGER_STABLE_MS ? 0 : restarts;
    const delay = TAGGER_RESTART_DELAYS_MS[Math.min(attempt, TAGGER_RESTART_DELAYS_MS.length - 1)] ?? 0;
    console.error(`The embedded tagger exited with code ${exit.code}; starting it again in ${delay / 1000} s (tagging waits for it).`);
    const timer = setTimeout(() => {
      pendingTaggerRestart = undefined;
      tagger = startTagger();
      superviseTagger(done, attempt + 1);
    }, delay);
    pendingTaggerRestart = () => {
      clearTimeout(timer);
      pendingTaggerRestart = undefined;
      done(exit);
    };
  });
}

async function taggerHealth(): Promise<true | undefined> {
  const response = await fetch(`${taggerUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return response.ok ? true : undefined;
}

/** true when the Worker is up, undefined while it is not yet; stops the wait when the Worker answered with an error (a bad setting). */
async function health(output: string[]): Promise<true | undefined> {
  const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
  const text = await response.text();
  if (response.status === 200 && text.includes('"ok":true')) return true;
  // The contract's error envelope means our Worker itself answered: waiting longer will not help.
  if (text.startsWith('{"error":'))
    throw new StopWaiting(`GET ${baseUrl}/healthz answered ${response.status}: ${text.slice(0, 300)}\n${tail(output)}`);
  throw new Error(`${response.status}: ${text.slice(0, 200)}`);
}

function printSummary() {
  const client = devClient(setting("CLIENT_KEYS"));
  const env = port === 8787 ? "" : `PORT=${port} `;
  const shown = (path: string) => (path.startsWith(ROOT) ? relative(ROOT, path) || "." : path);
  console.log(
    [
      "",
      `Greenlight is running locally: the Worker with local KV, R2, Durable Objects, Workflows and the embedded tagger.`,
      "",
      `  Review console  ${baseUrl}/console   (sign in with the reviewer token)`,
      `  API base URL    ${baseUrl}`,
      `  OpenAPI         ${baseUrl}/openapi.json`,
      `  Client key      ${client.key}   (client "${client.id}"; Authorization: Bearer ${client.key})`,
      `  Reviewer token  ${newestSetting("REVIEWER_TOKEN")}`,
      `  Tagger          ${taggerUrl} (the embedded tagger standing in for Workers AI)`,
      `  Secrets from    ${shown(devVarsFile())}${ownDevVars ? "" : " (dev-only defaults; copy it to .dev.vars to change them)"}`,
      `  State           kept in ${shown(stateDir)} (a restart loses nothing; delete it to start empty)`,
      ...(overrides.length ? [`  Overrides       ${overrides.map(([name, value]) => `${name}=${value}`).join(", ")}`] : []),
      `  Inspector       ${LOOPBACK}:${inspectorPort}`,
      "",
      "Next:",
      `  ${env}npm run demo`,
      "      the whole flow step by step: upload, claim, approve, tags, the signed callback",
      `  curl -H "Authorization: Bearer ${client.key}" -F image=@photo.png ${baseUrl}/v1/tasks`,
      "      upload your own image (the answer holds its taskId)",
      "  npm run sign-decision -- <taskId> approve",
      "      a decision token; send it with:",
      `      curl -X POST -H "Authorization: Bearer $(npm run -s sign-decision -- <taskId> approve)" ${baseUrl}/v1/decisions`,
      "",
      "Press Ctrl+C to stop. Request log:",
    ].join("\n"),
  );
}

function forwardSignals() {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopping = true;
      pendingTaggerRestart?.();
      for (const child of [wrangler, tagger]) void child.stop(signal).catch(() => undefined);
    });
  }
}

/** mkdir -p one level at a time: Node's recursive mkdirSync spins forever on some paths (e.g. under /proc). */
function makeDirectory(path: string) {
  if (existsSync(path)) return;
  makeDirectory(dirname(path));
  mkdirSync(path);
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
