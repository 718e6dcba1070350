// Usage: npm start   (env: PORT=8787, GREENLIGHT_STATE_DIR=.wrangler/state, REVIEW_TIMEOUT, CLAIM_LEASE, MAX_UPLOAD_BYTES,
//                    GREENLIGHT_TRACING=1 to keep wrangler's local tracing on)
// Runs the whole pipeline on this machine with no account and no network: the embedded tagger service, and
// `wrangler dev --local` with local KV, R2, Durable Objects and Workflows calling it; waits for both, then prints
// where everything is.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { devClient, devVarsFile, newestSetting, ROOT, setting } from "./lib/dev-vars.ts";
import { freePort, isPortFree, LOOPBACK } from "./lib/ports.ts";
import { waitFor } from "./lib/wait.ts";
import { localWranglerEnv, WRANGLER_CLI } from "./lib/wrangler.ts";

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
  "--no-warnings",
  WRANGLER_CLI,
  "dev",
  "--local",
  "--ip", LOOPBACK,
  "--port", String(port),
  "--inspector-port", String(inspectorPort),
  "--persist-to", stateDir,
  "--show-interactive-dev-session=false",
  // Wrangler reads .dev.vars by itself; without one, the committed dev-only defaults stand in.
  ...(ownDevVars ? [] : ["--env-file", resolve(ROOT, ".dev.vars.example")]),
  ...["ALLOW_LOOPBACK_CALLBACKS:true", "TAGGER:embedded", `LOCAL_TAGGER_URL:${taggerUrl}`, ...overrides.map(([name, value]) => `${name}:${value}`)].flatMap((v) => ["--var", v]),
];

const wrangler = spawn(process.execPath, args, {
  cwd: ROOT,
  stdio: ["ignore", "pipe", "pipe"],
  env: localWranglerEnv(),
});

// Wrangler's startup chatter is kept back (and shown only if it fails); once ready, its request log streams through.
const tail: string[] = [];
let ready = false;
let stopping = false;
let pendingTaggerRestart: (() => void) | undefined;
passOutputOn(wrangler);
// The embedded tagger stands in for Workers AI, which cannot run locally; it loads its models while wrangler starts.
let tagger = startTagger();

const exitOf = (child: ChildProcess, name: string) =>
  new Promise<{ name: string; code: number }>((resolveExit) =>
    child.on("exit", (code, signal) => resolveExit({ name, code: exitCode(code, signal) })),
  );
const wranglerExited = exitOf(wrangler, "wrangler");
// Settles only when the tagger is down for good: it died before the stack was ready, or the stack is stopping.
const taggerExited = new Promise<{ name: string; code: number }>((resolveExit) => superviseTagger(resolveExit));
const exited = Promise.race([wranglerExited, taggerExited]);
forwardSignals();

const outcome = await Promise.race([
  exited.then((exit) => ({ exited: exit })),
  Promise.all([
    waitFor("the embedded tagger's models", () => taggerHealth(), { timeoutMs: READY_TIMEOUT_MS, intervalMs: 250 }),
    waitFor("GET /healthz", () => health(), { timeoutMs: READY_TIMEOUT_MS, intervalMs: 250 }),
  ]).then(
    ([, answer]) => (answer === true ? { ready: true } : { failed: `GET ${baseUrl}/healthz answered ${answer}` }),
    (error: Error) => ({ failed: error.message }),
  ),
]);

if ("exited" in outcome) {
  if (stopping) await shutDown(outcome.exited.code);
  printTail(`${outcome.exited.name} exited with code ${outcome.exited.code} before the stack was ready.`);
  await shutDown(outcome.exited.code || 1);
}
if ("failed" in outcome) {
  printTail(`${outcome.failed}; stopping.`);
  await shutDown(1);
}

ready = true;
printSummary();
const stopped = await exited;
console.log(`${stopped.name} exited with code ${stopped.code}`);
await shutDown(stopped.code);

/** Stops whichever child is still running, waits for both, and exits. */
async function shutDown(code: number): Promise<never> {
  stopping = true;
  pendingTaggerRestart?.();
  for (const child of [wrangler, tagger]) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await Promise.all([wranglerExited, taggerExited]);
  process.exit(code);
}

function startTagger(): ChildProcess {
  const child = spawn(process.execPath, ["--no-warnings", resolve(ROOT, "worker/local-tagger/server.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORT: String(taggerPort) },
  });
  passOutputOn(child);
  return child;
}

/** Starts the tagger again whenever it dies after the stack is ready; calls `done` once it is down for good. */
function superviseTagger(done: (exit: { name: string; code: number }) => void, restarts = 0) {
  const startedAt = Date.now();
  tagger.once("exit", (code, signal) => {
    const exit = { name: "the embedded tagger", code: exitCode(code, signal) };
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

/** Keeps a child's output back until the stack is ready (shown only if starting fails), then streams it through. */
function passOutputOn(child: ChildProcess) {
  for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      if (ready) out.write(chunk);
      tail.push(...chunk.split("\n").filter((line) => line.trim() !== ""));
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
    });
  }
}

async function taggerHealth(): Promise<true | undefined> {
  const response = await fetch(`${taggerUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return response.ok ? true : undefined;
}

/** true when the Worker is up; a description when the Worker answered with an error (a bad setting); undefined: not yet. */
async function health(): Promise<true | string | undefined> {
  const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
  const text = await response.text();
  if (response.status === 200 && text.includes('"ok":true')) return true;
  // The contract's error envelope means our Worker itself answered: waiting longer will not help.
  if (text.startsWith('{"error":')) return `${response.status}: ${text.slice(0, 300)}`;
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

function printTail(headline: string) {
  const lines = tail.map((line) => `  | ${line.length > 400 ? `${line.slice(0, 400)}...` : line}`);
  console.error(`Last ${lines.length} line(s) of wrangler's output:\n${lines.join("\n")}\n\n${headline}`);
}

function forwardSignals() {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopping = true;
      pendingTaggerRestart?.();
      for (const child of [wrangler, tagger]) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        child.kill(signal);
        setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS).unref();
      }
    });
  }
}

function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return 128 + (signal ? (numbers[signal] ?? 1) : 1);
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
