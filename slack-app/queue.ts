// The pending queue as the App Home shows it: how deep, and the oldest few.
import type { QueueSnapshot } from "./blocks/app-home.ts";
import { describe } from "./decide.ts";
import type { WorkerClient } from "./worker-client.ts";

const PAGE = 100;
const MAX_PAGES = 10;
const OLDEST = 5;

export async function readQueue(greenlight: WorkerClient, reviewerTokenSet: boolean): Promise<QueueSnapshot> {
  if (!reviewerTokenSet) return { kind: "unavailable", reason: "the Slack app has no REVIEWER_TOKEN." };
  try {
    let page = await greenlight.listPending(PAGE);
    const oldest = page.items.slice(0, OLDEST);
    let pending = page.items.length;
    // The API lists pages, not a count; counting stops after MAX_PAGES so a huge queue cannot stall the Home tab.
    for (let pages = 1; page.nextCursor && pages < MAX_PAGES; pages++) {
      page = await greenlight.listPending(PAGE, page.nextCursor);
      pending += page.items.length;
    }
    return { kind: "queue", pending, atLeast: page.nextCursor !== null, oldest };
  } catch (error) {
    return { kind: "unavailable", reason: describe(error) };
  }
}
