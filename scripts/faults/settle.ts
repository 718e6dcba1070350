// Judging a scenario once its faults are over: every accepted task is polled until it has reached the state it must,
// or until the settle period after the last fault has run out; then lost, stuck and duplicate callbacks are counted.
import { setTimeout as sleep } from "node:timers/promises";
import type { CallbackEvent, Task } from "@greenlight/client";
import type { ReceivedCallback } from "../lib/callback-receiver.ts";
import type { Expected } from "./tally.ts";
import type { World } from "./world.ts";

/**
 * How long after the last fault every task has to reach its state. The reconciler is each task's gate alarm
 * (worker/src/objects/decision-gate.ts): it asks again for a pre-screen still missing 5 minutes after the upload (the
 * local queue loses the jobs a kill -9 catches in flight), retries a refused workflow start every 30 s, and looks in
 * on a started workflow after a minute; the sixth minute is for the work itself.
 */
export const SETTLE_MS = 6 * 60_000;
// A task that needed longer than this after the last fault waited for the reconciler rather than for the work.
const RECONCILED_AFTER_MS = 60_000;
const POLL_MS = 2_000;
const PROGRESS_MS = 30_000;
const READS_AT_ONCE = 8;
// A repeated delivery can trail the one that settled a task (the schedule's second attempt is 5 s after the first).
const LINGER_MS = 6_000;
const EXAMPLES = 5;

export type Settled = {
  lost: number;
  stuck: number;
  distinctIdDuplicates: number;
  sameIdRepeats: number;
  failures: string[];
  notes: string[];
};

export async function settle(world: World, from: number): Promise<Settled> {
  const deadline = from + SETTLE_MS;
  const open = new Map(world.tally.expected);
  const lost: string[] = [];
  const lastSeen = new Map<string, Task>();
  let reconciled = 0;
  const eventsOf = (taskId: string) => world.receiver.forTask(taskId).map(eventOf);
  let listed = new Set<string>();
  let lastProgress = Date.now();
  for (;;) {
    const last = Date.now() >= deadline;
    if ([...open.values()].includes("pending")) listed = (await world.traffic.pendingIds()) ?? listed;
    // A task that must stay pending is read once it is listed; one that never is gets read in the last round, for
    // the 404 that would make it lost and for what it looked like.
    const toRead = [...open].filter(([taskId, expected]) => last || expected !== "pending" || listed.has(taskId)).map(([taskId]) => taskId);
    await inBatches(toRead, READS_AT_ONCE, async (taskId) => {
      const answer = await world.traffic.read(taskId);
      if (answer?.status === 404) {
        lost.push(taskId);
        open.delete(taskId);
      } else if (answer?.value) {
        lastSeen.set(taskId, answer.value);
        if (!reached(answer.value, open.get(taskId), listed, eventsOf(taskId))) return;
        open.delete(taskId);
        if (Date.now() - from > RECONCILED_AFTER_MS) reconciled++;
      }
    });
    if (open.size === 0 || last) break;
    if (Date.now() - lastProgress >= PROGRESS_MS) {
      lastProgress = Date.now();
      world.log(
        `settling: ${open.size} of ${world.tally.expected.size} tasks not yet where they must be, ${Math.round((deadline - Date.now()) / 1000)} s left`,
      );
    }
    await sleep(POLL_MS);
  }
  const settledAfter = Math.round((Date.now() - from) / 1000);
  await sleep(LINGER_MS);

  const failures: string[] = [];
  const notes: string[] = [];
  if (open.size === 0) {
    const late = reconciled ? `, ${reconciled} of them more than ${RECONCILED_AFTER_MS / 1000} s after it (the reconciler's doing)` : "";
    notes.push(`every task reached its state within ${settledAfter} s of the last fault${late}`);
  } else notes.push(...describeStuck(open, lastSeen, listed, settledAfter));
  if (lost.length) failures.push(`answered 404 though accepted: ${lost.slice(0, EXAMPLES).join(", ")}`);

  // Callbacks: one final event per task, under one webhook-id; nothing for a task that is still pending.
  let distinctIdDuplicates = 0;
  let sameIdRepeats = 0;
  for (const [taskId, expected] of world.tally.expected) {
    const callbacks = world.receiver.forTask(taskId);
    const ids = new Set(callbacks.map((callback) => callback.headers["webhook-id"]));
    distinctIdDuplicates += Math.max(0, ids.size - 1);
    sameIdRepeats += callbacks.length - ids.size;
    if (ids.size > 1) failures.push(`${taskId} was called back under ${ids.size} webhook-ids: ${[...ids].join(", ")}`);
    if (expected === "pending" && callbacks.length) failures.push(`${taskId} is still pending but was called back`);
  }
  // Each scenario has a stack of its own, so whatever it lists or calls back about, the suite uploaded.
  const unknown = new Set(
    world.receiver.received.map((callback) => eventOf(callback).data.taskId).filter((id) => !world.tally.expected.has(id)),
  );
  for (const id of (await world.traffic.pendingIds()) ?? []) if (!world.tally.expected.has(id)) unknown.add(id);
  if (unknown.size)
    failures.push(
      `${unknown.size} task(s) no upload was told about (a retried upload made a second task?): ${[...unknown].slice(0, EXAMPLES).join(", ")}`,
    );
  return { lost: lost.length, stuck: open.size, distinctIdDuplicates, sameIdRepeats, failures, notes };
}

/** Whether a task is where it must be: pending and listed for reviewers, or final with its callback delivered. */
function reached(task: Task, expected: Expected | undefined, listed: Set<string>, events: CallbackEvent[]): boolean {
  if (expected === "pending") return task.status === "pending" && listed.has(task.taskId);
  return (
    task.status === expected &&
    task.callback.state === "delivered" &&
    events.some((event) => event.type === `task.${expected}`) &&
    (expected !== "completed" || (task.tags?.length ?? 0) > 0)
  );
}

/** What the stuck tasks looked like at the end: counted by status and callback state, with a few whole examples. */
function describeStuck(open: Map<string, Expected>, lastSeen: Map<string, Task>, listed: Set<string>, afterSeconds: number): string[] {
  const kinds = new Map<string, number>();
  const examples: string[] = [];
  for (const [taskId, expected] of open) {
    const task = lastSeen.get(taskId);
    const seen = task
      ? `${task.status}${expected === "pending" ? (listed.has(taskId) ? ", listed" : ", not listed") : `, callback ${task.callback.state}`}`
      : "never answered 200";
    const kind = `must be ${expected}, is ${seen}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (task && examples.length < EXAMPLES) {
      const { taskId: id, status, createdAt, updatedAt, decision, tags, callback } = task;
      examples.push(
        `  GET /v1/tasks/${id}: ${JSON.stringify({ status, createdAt, updatedAt, decidedAt: decision?.decidedAt ?? null, tags: tags?.length ?? null, callback })}`,
      );
    }
  }
  return [`stuck ${afterSeconds} s after the last fault: ${[...kinds].map(([kind, count]) => `${count} ${kind}`).join("; ")}`, ...examples];
}

// Signatures are the e2e tests' business; here they could not be checked at the end anyway, since Standard Webhooks
// refuses a timestamp more than 5 minutes old.
const eventOf = (callback: ReceivedCallback) => JSON.parse(callback.body) as CallbackEvent;

async function inBatches<T>(items: T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let index = 0; index < items.length; index += size) await Promise.all(items.slice(index, index + size).map(each));
}
