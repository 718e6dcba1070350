// KV (TASKS): task records and the pending queue that reviewer tooling lists oldest first.
import { hashBands } from "../domain/perceptual-hash.ts";
import { type Stage, stageName } from "../domain/stages.ts";
import { type TaskRecord, TaskRecordSchema } from "../domain/task.ts";

type TasksEnv = Pick<Env, "TASKS">;

// Versioned prefixes so a future record shape can live beside this one during a migration.
const taskKey = (taskId: string) => `task:v1:${taskId}`;
// Two indexes of tasks waiting for a decision, both in ISO-8601 creation order (timestamps sort as text, so KV's
// lexicographic listing is oldest first, and every upload writes its own keys, so no key is hot):
// - pending: every one, for GET /v1/reviews and the console;
// - claimable: those not yet announced, so a claim reads only tasks it may hand out, whatever the backlog.
const PENDING_PREFIX = "pending:v1:";
const CLAIMABLE_PREFIX = "claimable:v1:";
const indexKey = (prefix: string, record: TaskRecord) => `${prefix}${record.task.createdAt}:${record.task.taskId}`;

export async function getTaskRecord(env: TasksEnv, taskId: string): Promise<TaskRecord | null> {
  const raw = await env.TASKS.get(taskKey(taskId), "json");
  if (raw === null) return null;
  return TaskRecordSchema.parse(raw);
}

export async function putTaskRecord(env: TasksEnv, record: TaskRecord): Promise<void> {
  await env.TASKS.put(taskKey(record.task.taskId), JSON.stringify(record));
}

export async function deleteTaskRecord(env: TasksEnv, taskId: string): Promise<void> {
  await env.TASKS.delete(taskKey(taskId));
}

// Retention: one key per final state a task reached, in order of that moment, so the sweep reads only the due. Its
// metadata says which run of the task's work reached it: a failed task tried again reaches another final state later.
const RETENTION_PREFIX = "retention:v1:";

export async function scheduleDeletion(env: TasksEnv, taskId: string, finalAt: string, retries: number): Promise<void> {
  await env.TASKS.put(`${RETENTION_PREFIX}${finalAt}:${taskId}`, "", { metadata: { retries } });
}

export type DueDeletion = { key: string; taskId: string; retries: number };

/** The oldest tasks whose final state came before `before` (ISO-8601), at most `limit`. */
export async function listDueDeletions(env: TasksEnv, before: string, limit: number): Promise<DueDeletion[]> {
  const page = await env.TASKS.list<{ retries?: number }>({ prefix: RETENTION_PREFIX, limit });
  return page.keys
    .filter((key) => key.name.slice(RETENTION_PREFIX.length) < before)
    .map((key) => ({ key: key.name, taskId: key.name.slice(key.name.lastIndexOf(":") + 1), retries: key.metadata?.retries ?? 0 }));
}

export async function forgetDeletion(env: TasksEnv, due: DueDeletion): Promise<void> {
  await env.TASKS.delete(due.key);
}

export async function enqueuePending(env: TasksEnv, record: TaskRecord): Promise<void> {
  const metadata = { taskId: record.task.taskId };
  await Promise.all([
    env.TASKS.put(indexKey(PENDING_PREFIX, record), "", { metadata }),
    env.TASKS.put(indexKey(CLAIMABLE_PREFIX, record), "", { metadata }),
  ]);
}

/** An announced task is never claimed again, so it leaves the claimable index (it stays pending until decided). */
export async function markAnnounced(env: TasksEnv, record: TaskRecord): Promise<void> {
  await env.TASKS.delete(indexKey(CLAIMABLE_PREFIX, record));
}

export async function dequeuePending(env: TasksEnv, record: TaskRecord): Promise<void> {
  await Promise.all([env.TASKS.delete(indexKey(PENDING_PREFIX, record)), env.TASKS.delete(indexKey(CLAIMABLE_PREFIX, record))]);
}

export type PendingPage = { taskIds: string[]; cursor: string | null };

/** An index entry: its task, and its key, so an entry that is no longer true can be dropped. */
export type IndexEntry = { taskId: string; key: string };

export async function listPending(env: TasksEnv, limit: number, cursor?: string): Promise<PendingPage> {
  const page = await listIndex(env, PENDING_PREFIX, limit, cursor);
  return { taskIds: page.entries.map((entry) => entry.taskId), cursor: page.cursor };
}

export const listClaimable = (env: TasksEnv, limit: number, cursor?: string) => listIndex(env, CLAIMABLE_PREFIX, limit, cursor);

export async function dropIndexEntries(env: TasksEnv, entries: IndexEntry[]): Promise<void> {
  await Promise.all(entries.map((entry) => env.TASKS.delete(entry.key)));
}

// Due stages: one key per reminder or escalation that came due, in order of that moment, written by the task's gate
// when it records the stage and removed when its delivery is confirmed (or found over), so handing them out reads
// only the due, whatever the backlog.
const DUE_PREFIX = "due:v1:";
const dueKey = (taskId: string, stage: Stage) => `${DUE_PREFIX}${new Date(stage.dueAt).toISOString()}:${taskId}:${stageName(stage)}`;

export async function indexDueStage(env: TasksEnv, taskId: string, stage: Stage): Promise<void> {
  await env.TASKS.put(dueKey(taskId, stage), "", { metadata: { taskId } });
}

export async function unindexDueStage(env: TasksEnv, taskId: string, stage: Stage): Promise<void> {
  await env.TASKS.delete(dueKey(taskId, stage));
}

/** Due stages, oldest first: each entry's stage name is its key's last part. */
export async function listDueStages(env: TasksEnv, limit: number, cursor?: string) {
  const page = await listIndex(env, DUE_PREFIX, limit, cursor);
  return { ...page, entries: page.entries.map((entry) => ({ ...entry, stage: entry.key.slice(entry.key.lastIndexOf(":") + 1) })) };
}

async function listIndex(
  env: TasksEnv,
  prefix: string,
  limit: number,
  cursor?: string,
): Promise<{ entries: IndexEntry[]; cursor: string | null }> {
  const page = await env.TASKS.list<{ taskId: string }>({ prefix, limit, cursor });
  return {
    entries: page.keys.map((key) => ({ taskId: key.metadata?.taskId ?? key.name.slice(key.name.lastIndexOf(":") + 1), key: key.name })),
    cursor: page.list_complete ? null : page.cursor,
  };
}

// Perceptual-hash index: one key per band of each distinct hash, holding the newest few tasks with exactly that hash.
// Near-duplicates are found by prefix, never by a scan, and a picture uploaded again and again stays one key a band,
// so what a lookup reads grows with the distinct pictures that share a band, not with repeats.
const hashBandPrefix = (band: number, value: string) => `phash:v2:${band}:${value}:`;
type HashEntry = { taskIds: string[] };

/**
 * Adds the task to its hash's entries, newest first, keeping at most `keep` ids. `earlier` is what
 * perceptualHashCandidates found for this exact hash; two uploads at the same moment may each miss the other.
 */
export async function indexPerceptualHash(env: TasksEnv, taskId: string, hash: string, earlier: string[], keep: number): Promise<void> {
  const metadata: HashEntry = { taskIds: [taskId, ...earlier.filter((id) => id !== taskId)].slice(0, keep) };
  await Promise.all(hashBands(hash).map((value, band) => env.TASKS.put(`${hashBandPrefix(band, value)}${hash}`, "", { metadata })));
}

/** Takes the task out of its hash's entries; the entries go when no task is left in them. */
export async function unindexPerceptualHash(env: TasksEnv, taskId: string, hash: string): Promise<void> {
  const keys = hashBands(hash).map((value, band) => `${hashBandPrefix(band, value)}${hash}`);
  const { metadata } = await env.TASKS.getWithMetadata<HashEntry>(keys[0]!);
  const taskIds = (metadata?.taskIds ?? []).filter((id) => id !== taskId);
  await Promise.all(keys.map((key) => (taskIds.length === 0 ? env.TASKS.delete(key) : env.TASKS.put(key, "", { metadata: { taskIds } }))));
}

/**
 * Earlier hashes that share at least one band with `hash` (every hash within 3 bits, most within 10), each with its
 * newest tasks. Every page of each band is read, so none is missed however many distinct pictures share a band.
 */
export async function perceptualHashCandidates(env: TasksEnv, hash: string): Promise<Map<string, string[]>> {
  const candidates = new Map<string, string[]>();
  await Promise.all(
    hashBands(hash).map(async (value, band) => {
      let cursor: string | undefined;
      do {
        const page = await env.TASKS.list<HashEntry>({ prefix: hashBandPrefix(band, value), cursor });
        for (const key of page.keys) {
          if (key.metadata) candidates.set(key.name.slice(key.name.lastIndexOf(":") + 1), key.metadata.taskIds);
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
    }),
  );
  return candidates;
}
