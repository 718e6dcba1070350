// The pending queue as the App Home shows it: how deep, and the oldest few.
import type { QueueSnapshot } from "./blocks/app-home.ts";
import { describe } from "./decide.ts";
import type { WorkerClient } from "./worker-client.ts";

// Counting stops after 1,000 tasks, so a huge queue cannot stall the Home tab; it then says "at least".
const MAX_PAGES = 10;
const OLDEST = 5;

export async function readQueue(greenlight: WorkerClient, reviewerTokenSet: boolean): Promise<QueueSnapshot> {
  if (!reviewerTokenSet) return { kind: "unavailable", reason: "the Slack app has no REVIEWER_TOKEN." };
  try {
    const { items, complete } = await greenlight.listPending(MAX_PAGES);
    return { kind: "queue", pending: items.length, atLeast: !complete, oldest: items.slice(0, OLDEST) };
  } catch (error) {
    return { kind: "unavailable", reason: describe(error) };
  }
}
