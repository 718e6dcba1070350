// Claims at growing backlogs: seed pending tasks through the API, announce all but 50, then time claims of 50.
import { setTimeout as sleep } from "node:timers/promises";
import type { GreenlightApi } from "@greenlight/client";
import type { Stack } from "../lib/stack.ts";
import { noisePngs } from "./images.ts";
import { startLoad } from "./load.ts";
import { settle } from "./resources.ts";
import { int, num, seconds } from "./stats.ts";

export const UNANNOUNCED = 50;
const CLAIM_LIMIT = 100; // the API's largest claim, for announcing
const SEED_KB = 0.2; // the claim path never reads the image, so seeding sends small ones
const MAX_SEED_FAILURES = 200;
const MAX_FAILED_CLAIMS = 10;
// Claims that hand out nothing for this long mean nothing more will become claimable.
const NO_PROGRESS_MS = 60_000;
const PROGRESS_MS = 10_000;
// Announcing runs at about 100 a second; seeding leaves it that much time before the measurements.
const ANNOUNCE_MS_EACH = 10;
// The measurements start on a quiet stack if it gets quiet within this; stopping the stack takes up to the next.
const QUIET_BEFORE_CLAIMS_MS = 15_000;
const STOP_RESERVE_MS = 15_000;

export type ClaimSample = { ms: number; status: number; items: number };

export type ClaimLevel = {
  target: number;
  /** Tasks accepted (202) so far: the backlog this level measured. */
  pending: number;
  announced: number;
  seeding: { ok: number; perSecond: number; failures: Record<string, number> };
  /** Non-2xx answers (or "error" for no answer) while announcing: to claims and to announcements. */
  claimFailures: Record<string, number>;
  announceFailures: Record<string, number>;
  backToBack: ClaimSample[];
  idle: ClaimSample | undefined;
  notes: string[];
};

export type ClaimPlan = {
  levels: readonly number[];
  backToBack: number;
  idleSeconds: number;
  /** The stack's CLAIM_LEASE: a claim this long after the last one finds the same 50 claimable again. */
  leaseMs: number;
  seedConnections: number;
  /** When the whole phase must be over (epoch ms). */
  deadline: number;
};

export async function measureClaims(
  stack: Stack,
  api: GreenlightApi,
  uploadHeaders: Record<string, string>,
  plan: ClaimPlan,
  log: (line: string) => void,
): Promise<ClaimLevel[]> {
  const levels: ClaimLevel[] = [];
  const announced = new Set<string>();
  let accepted = 0;
  for (const target of plan.levels) {
    const level: ClaimLevel = {
      target,
      pending: accepted,
      announced: 0,
      seeding: { ok: 0, perSecond: 0, failures: {} },
      claimFailures: {},
      announceFailures: {},
      backToBack: [],
      idle: undefined,
      notes: [],
    };
    levels.push(level);
    const measureMs = plan.backToBack * (plan.leaseMs + 1_000) + plan.idleSeconds * 1000 + QUIET_BEFORE_CLAIMS_MS + STOP_RESERVE_MS;
    const announceUntil = plan.deadline - measureMs;
    const seedUntil = announceUntil - (target - UNANNOUNCED) * ANNOUNCE_MS_EACH;
    if (Date.now() >= seedUntil) {
      level.notes.push(`${int(target)} pending: skipped, the run's time budget was spent`);
      break;
    }

    log(`${int(target)} pending: seeding ${int(target - accepted)} tasks through POST /v1/tasks`);
    level.seeding = await seed(stack, uploadHeaders, target - accepted, accepted, plan.seedConnections, seedUntil, level.notes, log);
    accepted += level.seeding.ok;
    level.pending = accepted;
    // Announcing starts at once: a task becomes claimable when the stack has finished with its upload, and claims
    // hand out whatever is ready.
    log(`${int(accepted)} accepted, ${num(level.seeding.perSecond)}/s; announcing all but ${UNANNOUNCED} as they become claimable`);
    await announceAllBut(api, announced, accepted - UNANNOUNCED, announceUntil, level, log);
    level.announced = announced.size;
    if (!(await settle([stack], QUIET_BEFORE_CLAIMS_MS)).quiet) {
      level.notes.push(`${int(target)} pending: the stack was still busy with earlier uploads when its claims were timed`);
    }

    let lastEnd = 0;
    for (let index = 0; index < plan.backToBack; index++) {
      // Each claim hands out the same 50 again: the previous claim's lease has just run out.
      await sleep(Math.max(0, lastEnd + plan.leaseMs + 100 - Date.now()));
      level.backToBack.push(await timedClaim(api, UNANNOUNCED));
      lastEnd = Date.now();
    }
    log(
      `claims back to back: ${level.backToBack.map((sample) => `${int(sample.ms)} ms (${sample.status === 200 ? `${sample.items} items` : sample.status || "no answer"})`).join(", ")}`,
    );
    await sleep(plan.idleSeconds * 1000);
    level.idle = await timedClaim(api, UNANNOUNCED);
    log(
      `claim after ${plan.idleSeconds} s idle: ${int(level.idle.ms)} ms (${level.idle.status === 200 ? `${level.idle.items} items` : level.idle.status || "no answer"})`,
    );

    if (accepted < target) break; // a larger backlog would not get further
  }
  return levels;
}

async function seed(
  stack: Stack,
  headers: Record<string, string>,
  count: number,
  pendingBefore: number,
  connections: number,
  until: number,
  notes: string[],
  log: (line: string) => void,
): Promise<ClaimLevel["seeding"]> {
  // Seeds that no earlier level used: every task gets its own image.
  const images = noisePngs(count, SEED_KB, pendingBefore + 1);
  const started = Date.now();
  const load = startLoad({
    baseUrl: stack.baseUrl,
    method: "POST",
    path: () => "/v1/tasks",
    headers: { ...headers, "Content-Type": "image/png" },
    body: (index) => images[index % images.length] as Buffer,
    connections: Math.min(connections, count),
    amount: count,
  });
  let lastReport = Date.now();
  const watch = setInterval(() => {
    const [ok, failed] = load.progress();
    if (failed >= MAX_SEED_FAILURES) {
      notes.push(`seeding stopped after ${int(failed)} failed uploads, at ${int(pendingBefore + ok)} pending`);
      load.stop();
    } else if (Date.now() >= until) {
      notes.push(`seeding stopped at ${int(pendingBefore + ok)} pending: the run's time budget was spent`);
      load.stop();
    } else if (Date.now() - lastReport >= PROGRESS_MS) {
      lastReport = Date.now();
      log(`  ${int(ok)}/${int(count)} uploaded in ${seconds(Date.now() - started)}${failed ? `, ${int(failed)} failed` : ""}`);
    }
  }, 1_000);
  const result = await load.done.finally(() => clearInterval(watch));
  const failures = { ...result.statuses, ...(result.errors ? { error: result.errors } : {}) };
  return { ok: result.ok, perSecond: result.ok / ((Date.now() - started) / 1000), failures };
}

/** Claims (oldest first) and confirms announcements until `target` tasks are announced, or it cannot get further. */
async function announceAllBut(
  api: GreenlightApi,
  announced: Set<string>,
  target: number,
  until: number,
  level: ClaimLevel,
  log: (line: string) => void,
) {
  const started = Date.now();
  let lastReport = started;
  let lastProgress = started;
  let failedClaims = 0;
  const stop = (reason: string) => level.notes.push(`announcing stopped at ${int(announced.size)} of ${int(target)}: ${reason}`);
  while (announced.size < target) {
    if (Date.now() >= until) return stop("the run's time budget was spent");
    if (Date.now() - lastProgress >= NO_PROGRESS_MS) return stop(`nothing more was handed out for ${NO_PROGRESS_MS / 1000} s`);
    const claim = await claimItems(api, Math.min(CLAIM_LIMIT, target - announced.size));
    if (claim.status !== 200) {
      count(level.claimFailures, claim.status);
      if (++failedClaims >= MAX_FAILED_CLAIMS) return stop(`${failedClaims} claims in a row failed (last: ${claim.status || "no answer"})`);
      await sleep(1_000);
      continue;
    }
    failedClaims = 0;
    // Nothing ready yet: uploads still being processed, or tasks whose announcement failed waiting out their lease.
    if (claim.taskIds.length === 0) await sleep(1_000);
    const answers = await Promise.all(claim.taskIds.map((taskId) => announce(api, taskId)));
    for (const [index, status] of answers.entries()) {
      if (status === 204) announced.add(claim.taskIds[index] as string);
      else count(level.announceFailures, status);
    }
    if (answers.includes(204)) lastProgress = Date.now();
    if (Date.now() - lastReport >= PROGRESS_MS) {
      lastReport = Date.now();
      log(`  ${int(announced.size)}/${int(target)} announced in ${seconds(Date.now() - started)}`);
    }
  }
}

async function timedClaim(api: GreenlightApi, limit: number): Promise<ClaimSample> {
  const started = performance.now();
  const claim = await claimItems(api, limit);
  return { ms: performance.now() - started, status: claim.status, items: claim.taskIds.length };
}

/** A claim's status (0 when no answer came) and the ids it handed out. */
async function claimItems(api: GreenlightApi, limit: number): Promise<{ status: number; taskIds: string[] }> {
  try {
    const { data, response } = await api.POST("/v1/reviews/claim", { body: { limit } });
    return { status: response.status, taskIds: data?.items.map((item) => item.taskId) ?? [] };
  } catch {
    return { status: 0, taskIds: [] };
  }
}

async function announce(api: GreenlightApi, taskId: string): Promise<number> {
  try {
    const body = { channel: "CBENCH", messageTs: `${Date.now() / 1000}` };
    return (await api.POST("/v1/reviews/{id}/announcement", { params: { path: { id: taskId } }, body })).response.status;
  } catch {
    return 0;
  }
}

function count(tally: Record<string, number>, status: number) {
  const key = status ? String(status) : "error";
  tally[key] = (tally[key] ?? 0) + 1;
}
