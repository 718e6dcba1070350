// Handing out the entries of a KV index, oldest first, each to one caller at a time: the task's gate grants each lease.
import { dropIndexEntries, type IndexEntry } from "../adapters/task-store.ts";

// KV lists at most 1,000 keys a call; a smaller page keeps each round of lease calls short.
const SCAN_PAGE = 100;

/** A gate's answer to a lease: the entry is now the caller's, another caller's for a while, or never leasable again. */
export type IndexLease<T> = { outcome: "leased"; value: T } | { outcome: "held" | "closed" };

/**
 * Leases up to `limit` entries, oldest first, and returns what each granted lease yields. Its cost follows `limit` and
 * the entries still held by others, not the backlog, because entries leave the index once their work is done.
 */
export async function leaseFromIndex<E extends IndexEntry, T>(
  env: Env,
  list: (limit: number, cursor?: string) => Promise<{ entries: E[]; cursor: string | null }>,
  lease: (entry: E) => Promise<IndexLease<T>>,
  limit: number,
): Promise<T[]> {
  const leased: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(SCAN_PAGE, cursor);
    const candidates = [...page.entries];
    while (candidates.length > 0 && leased.length < limit) {
      const batch = candidates.splice(0, limit - leased.length);
      const answers = await Promise.all(batch.map(lease));
      // An entry whose gate will never lease it again (its review is over, or a write that crossed its removal put
      // it back) leaves the index now, which spares every later call from asking again.
      await dropIndexEntries(
        env,
        batch.filter((_, index) => answers[index]?.outcome === "closed"),
      );
      for (const answer of answers) if (answer.outcome === "leased") leased.push(answer.value);
    }
    cursor = page.cursor ?? undefined;
  } while (cursor && leased.length < limit);
  return leased;
}
