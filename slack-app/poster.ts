// Poster mode (POST_REVIEWS=true): claim pending reviews, post each once, confirm the announcement, deliver the
// reminders and escalations that come due, and close the app's own messages when their review is decided elsewhere or
// expires, showing how it ended, so nobody clicks a dead button.
import { setTimeout as sleep } from "node:timers/promises";
import type { ReviewItem, ReviewStatus } from "../worker/src/domain/review.ts";
import { buildOutcomeMessage, type Outcome } from "./blocks/outcome-message.ts";
import { buildReviewBody, buildReviewMessage } from "./blocks/review-message.ts";
import { sendWithImageFallback } from "./blocks/without-images.ts";
import { describe } from "./decide.ts";
import type { PostedMessage, PostedMessages } from "./message-store.ts";
import { deliverDueStages, type StageDeps } from "./stages.ts";

export type PosterDeps = StageDeps & {
  posted: PostedMessages;
  intervalMs: number;
};

// Up to 5,000 pending tasks are read to see which of the app's messages left the queue; past that, only deadlines close them.
const MAX_LIST_PAGES = 50;
// Buttons go at the deadline itself, not up to an interval later.
const AFTER_DEADLINE_MS = 50;

export function startPoster(deps: PosterDeps): { stop(): Promise<void> } {
  const controller = new AbortController();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      await runPosterOnce(deps).catch((error) => deps.logger.error(`poster: ${describe(error)}`));
      await sleep(nextDelay(deps), undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}

/**
 * One round: retry unconfirmed announcements, claim and post new reviews, deliver due stages, then sweep the app's
 * open messages.
 */
export async function runPosterOnce(deps: PosterDeps): Promise<void> {
  for (const entry of deps.posted.all()) if (!entry.announced) await announce(deps, entry);
  const items = await deps.greenlight.claim(deps.batchSize);
  for (const item of items) {
    const known = deps.posted.get(item.taskId);
    // Claimed again because an announcement was lost: confirm it, never post a second message.
    if (known) await announce(deps, known);
    else
      await post(deps, item).catch((error) =>
        deps.logger.error(`poster: posting ${item.taskId} failed, it will be claimed again after the lease: ${describe(error)}`),
      );
  }
  await deliverDueStages(deps);
  await sweep(deps);
}

async function post(deps: PosterDeps, item: ReviewItem): Promise<void> {
  const message = buildReviewMessage(item);
  const answer = await sendWithImageFallback(message.blocks, (blocks) =>
    deps.client.chat.postMessage({ channel: deps.channel, text: message.text, blocks, unfurl_links: false, unfurl_media: false }),
  );
  if (!answer.channel || !answer.ts) throw new Error("chat.postMessage answered without channel and ts");
  const entry = deps.posted.add({ item, channel: answer.channel, ts: answer.ts, announced: false });
  deps.logger.info(`poster: posted ${item.taskId} as ${answer.channel}/${answer.ts}`);
  await announce(deps, entry);
}

async function announce(deps: PosterDeps, entry: PostedMessage): Promise<void> {
  try {
    await deps.greenlight.announce(entry.item.taskId, { channel: entry.channel, messageTs: entry.ts });
    entry.announced = true;
  } catch (error) {
    deps.logger.warn(`poster: announcing ${entry.item.taskId} failed, retrying next round: ${describe(error)}`);
  }
}

/**
 * Closes the app's messages whose review is over. A task that left the pending queue, or whose deadline passed, is
 * looked up at GET /v1/reviews/:id, which answers from the task's strongly consistent gate: the message then shows who
 * decided, which way, when and why, or that the review expired. While the gate still says pending (the listing ran
 * ahead of it, or this host's clock runs ahead of Greenlight's), the message stays open and is asked about next round.
 */
async function sweep(deps: PosterDeps): Promise<void> {
  if (deps.posted.all().length === 0) return;
  const { items, complete } = await deps.greenlight.listPending(MAX_LIST_PAGES);
  const pending = new Set(items.map((item) => item.taskId));
  const listedUntil = Date.now();
  for (const entry of deps.posted.all()) {
    if (!isOpen(deps, entry)) continue;
    const due = listedUntil >= Date.parse(entry.item.reviewDeadline);
    const leftQueue = complete && !pending.has(entry.item.taskId);
    if (due || leftQueue) await settle(deps, entry);
  }
}

/** Asks Greenlight how the review ended and shows it; a review still pending at the gate is left for the next round. */
async function settle(deps: PosterDeps, entry: PostedMessage): Promise<void> {
  const { taskId } = entry.item;
  let review: ReviewStatus | null;
  try {
    review = await deps.greenlight.reviewStatus(taskId);
  } catch (error) {
    deps.logger.warn(`poster: asking how ${taskId} ended failed, retrying next round: ${describe(error)}`);
    return;
  }
  if (review === null) {
    // Only a Greenlight that lost its state forgets a task it handed out; a click on the message will say so.
    deps.logger.warn(`poster: Greenlight has no task ${taskId} any more; its message is left as it is`);
    deps.posted.forget(taskId);
    return;
  }
  const outcome = outcomeOf(review);
  if (outcome === null) {
    deps.logger.debug(`poster: ${taskId} is still ${review.status} at Greenlight's gate, asking again next round`);
    return;
  }
  // A click on the message may have started deciding, or closed it, while Greenlight answered.
  if (isOpen(deps, entry)) await close(deps, entry, outcome);
}

/** What the message shows for a review as Greenlight's gate tells it; null while it is still undecided. */
export function outcomeOf(review: ReviewStatus): Outcome | null {
  if (review.decision !== null) return { kind: "decided", decision: review.decision };
  if (review.status === "expired") return { kind: "expired", deadline: review.reviewDeadline };
  return null;
}

const isOpen = (deps: PosterDeps, entry: PostedMessage) => !entry.deciding && deps.posted.get(entry.item.taskId) === entry;

async function close(deps: PosterDeps, entry: PostedMessage, outcome: Outcome): Promise<void> {
  const message = buildOutcomeMessage({ taskId: entry.item.taskId, body: buildReviewBody(entry.item), outcome });
  try {
    await sendWithImageFallback(message.blocks, (blocks) =>
      deps.client.chat.update({ channel: entry.channel, ts: entry.ts, text: message.text, blocks }),
    );
    deps.posted.forget(entry.item.taskId);
    deps.logger.info(`poster: ${entry.item.taskId} closed as ${outcome.kind}`);
  } catch (error) {
    deps.logger.warn(`poster: updating ${entry.item.taskId} failed, retrying next round: ${describe(error)}`);
  }
}

/** The usual interval, or sooner when an open message's deadline falls before it, so its expiry is seen at once. */
function nextDelay(deps: PosterDeps): number {
  const now = Date.now();
  let delay = deps.intervalMs;
  for (const entry of deps.posted.all()) {
    const untilDeadline = Date.parse(entry.item.reviewDeadline) + AFTER_DEADLINE_MS - now;
    if (untilDeadline > 0) delay = Math.min(delay, untilDeadline);
  }
  return delay;
}
