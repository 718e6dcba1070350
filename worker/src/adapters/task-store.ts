// KV (TASKS): task records and the pending queue that reviewer tooling lists oldest first.
import { hashBands } from "../domain/perceptual-hash.ts";
import { type TaskRecord, TaskRecordSchema } from "../domain/task.ts";

// Versioned prefixes so a future record shape can live beside this one during a migration.
const taskKey = (taskId: string) => `task:v1:${taskId}`;
// Two indexes of tasks waiting for a decision, both in ISO-8601 creation order (timestamps sort as text, so KV's
// lexicographic listing is oldest first, and every upload writes its own keys, so no key is hot):
// - pending: every one, for GET /v1/reviews and the console;
// - claimable: those not yet announced, so a claim reads only tasks it may hand out, whatever the backlog.
const PENDING_PREFIX = "pending:v1:";
const CLAIMABLE_PREFIX = "claimable:v1:";
const indexKey = (prefix: string, record: TaskRecord) => `${prefix}${record.task.createdAt}:${record.task.taskId}`;

export async function getTaskRecord(kv: KVNamespace, taskId: string): Promise<TaskRecord | null> {
  const raw = await kv.get(taskKey(taskId), "json");
  if (raw === null) return null;
  return TaskRecordSchema.parse(raw);
}

export async function putTaskRecord(kv: KVNamespace, record: TaskRecord): Promise<void> {
  await kv.put(taskKey(record.task.taskId), JSON.stringify(record));
}

export async function deleteTaskRecord(kv: KVNamespace, taskId: string): Promise<void> {
  await kv.delete(taskKey(taskId));
}

// Retention: one key per final state a task reached, in order of that moment, so the sweep reads only the due. Its
// metadata says which run of the task's work reached it: a failed task tried again reaches another final state later.
const RETENTION_PREFIX = "retention:v1:";

export async function scheduleDeletion(kv: KVNamespace, taskId: string, finalAt: string, retries: number): Promise<void> {
  await kv.put(`${RETENTION_PREFIX}${finalAt}:${taskId}`, "", { metadata: { retries } });
}

export type DueDeletion = { key: string; taskId: string; retries: number };

/** The oldest tasks whose final state came before `before` (ISO-8601), at most `limit`. */
export async function listDueDeletions(kv: KVNamespace, before: string, limit: number): Promise<DueDeletion[]> {
  const page = await kv.list<{ retries?: number }>({ prefix: RETENTION_PREFIX, limit });
  return page.keys
    .filter((key) => key.name.slice(RETENTION_PREFIX.length) < before)
    .map((key) => ({ key: key.name, taskId: key.name.slice(key.name.lastIndexOf(":") + 1), retries: key.metadata?.retries ?? 0 }));
}

export async function forgetDeletion(kv: KVNamespace, due: DueDeletion): Promise<void> {
  await kv.delete(due.key);
}

export async function enqueuePending(kv: KVNamespace, record: TaskRecord): Promise<void> {
  const metadata = { taskId: record.task.taskId };
  await Promise.all([kv.put(indexKey(PENDING_PREFIX, record), "", { metadata }), kv.put(indexKey(CLAIMABLE_PREFIX, record), "", { metadata })]);
}

/** An announced task is never claimed again, so it leaves the claimable index (it stays pending until decided). */
export async function markAnnounced(kv: KVNamespace, record: TaskRecord): Promise<void> {
  await kv.delete(indexKey(CLAIMABLE_PREFIX, record));
}

export async function dequeuePending(kv: KVNamespace, record: TaskRecord): Promise<void> {
  await Promise.all([kv.delete(indexKey(PENDING_PREFIX, record)), kv.delete(indexKey(CLAIMABLE_PREFIX, record))]);
}

export type PendingPage = { taskIds: string[]; cursor: string | null };

/** An index entry: its task, and its key, so an entry that is no longer true can be dropped. */
export type IndexEntry = { taskId: string; key: string };

export async function listPending(kv: KVNamespace, limit: number, cursor?: string): Promise<PendingPage> {
  const page = await listIndex(kv, PENDING_PREFIX, limit, cursor);
  return { taskIds: page.entries.map((entry) => entry.taskId), cursor: page.cursor };
}

export const listClaimable = (kv: KVNamespace, limit: number, cursor?: string) => listIndex(kv, CLAIMABLE_PREFIX, limit, cursor);

export async function dropClaimable(kv: KVNamespace, entries: IndexEntry[]): Promise<void> {
  await Promise.all(entries.map((entry) => kv.delete(entry.key)));
}

async function listIndex(kv: KVNamespace, prefix: string, limit: number, cursor?: string): Promise<{ entries: IndexEntry[]; cursor: string | null }> {
  const page = await kv.list<{ taskId: string }>({ prefix, limit, cursor });
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
export async function indexPerceptualHash(kv: KVNamespace, taskId: string, hash: string, earlier: string[], keep: number): Promise<void> {
  const metadata: HashEntry = { taskIds: [taskId, ...earlier.filter((id) => id !== taskId)].slice(0, keep) };
  await Promise.all(hashBands(hash).map((value, band) => kv.put(`${hashBandPrefix(band, value)}${hash}`, "", { metadata })));
}

/** Takes the task out of its hash's entries; the entries go when no task is left in them. */
export async function unindexPerceptualHash(kv: KVNamespace, taskId: string, hash: string): Promise<void> {
  const keys = hashBands(hash).map((value, band) => `${hashBandPrefix(band, value)}${hash}`);
  const { metadata } = await kv.getWithMetadata<HashEntry>(keys[0]!);
  const taskIds = (metadata?.taskIds ?? []).filter((id) => id !== taskId);
  await Promise.all(keys.map((key) => (taskIds.length === 0 ? kv.delete(key) : kv.put(key, "", { metadata: { taskIds } }))));
}

/**
 * Earlier hashes that share at least one band with `hash` (every hash within 3 bits, most within 10), each with its
 * newest tasks. Every page of each band is read, so none is missed however many distinct pictures share a band.
 */
export async function perceptualHashCandidates(kv: KVNamespace, hash: string): Promise<Map<string, string[]>> {
  const candidates = new Map<string, string[]>();
  await Promise.all(
    hashBands(hash).map(async (value, band) => {
      let cursor: string | undefined;
      do {
        const page = await kv.list<HashEntry>({ prefix: hashBandPrefix(band, value), cursor });
        for (const key of page.keys) {
          if (key.metadata) candidates.set(key.name.slice(key.name.lastIndexOf(":") + 1), key.metadata.taskIds);
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
    }),
  );
  return candidates;
}
