// What the app remembers about Slack messages, in memory: the reviews it posted, the reminders and escalations it posted
// but could not confirm yet, and messages whose Reject modal is open.
import type { types } from "@slack/bolt";
import type { ReviewItem } from "../worker/src/domain/review.ts";
import type { StageName } from "../worker/src/domain/stages.ts";

export type PostedMessage = {
  item: ReviewItem;
  channel: string;
  ts: string;
  /** Whether Greenlight has the announcement; until then it is retried, or the task would be claimed and posted again. */
  announced: boolean;
  /** A decision from this app is on its way and will update the message, so the queue sweep leaves it alone. */
  deciding: boolean;
};

/** The review messages this app posted itself and has not yet closed. */
export class PostedMessages {
  readonly #byTask = new Map<string, PostedMessage>();

  add(entry: Omit<PostedMessage, "deciding">): PostedMessage {
    const stored = { ...entry, deciding: false };
    this.#byTask.set(entry.item.taskId, stored);
    return stored;
  }

  get(taskId: string): PostedMessage | undefined {
    return this.#byTask.get(taskId);
  }

  forget(taskId: string): void {
    this.#byTask.delete(taskId);
  }

  all(): PostedMessage[] {
    return [...this.#byTask.values()];
  }
}

/**
 * Reminders and escalations this app posted whose confirmation Greenlight has not taken yet: they are confirmed again
 * each round, and one handed out again meanwhile is confirmed rather than posted twice.
 */
export class UnconfirmedStages {
  readonly #keys = new Map<string, { taskId: string; stage: StageName }>();

  add(taskId: string, stage: StageName): void {
    this.#keys.set(`${taskId}/${stage}`, { taskId, stage });
  }

  has(taskId: string, stage: StageName): boolean {
    return this.#keys.has(`${taskId}/${stage}`);
  }

  forget(taskId: string, stage: StageName): void {
    this.#keys.delete(`${taskId}/${stage}`);
  }

  all(): { taskId: string; stage: StageName }[] {
    return [...this.#keys.values()];
  }
}

// A modal left open longer than this has lost its message's blocks; the outcome is then shown without them.
const DRAFT_TTL_MS = 60 * 60 * 1000;
const MAX_DRAFTS = 1000;

/** The blocks of messages whose Reject modal is open: a modal submission does not carry the message it came from. */
export class OpenRejections {
  readonly #drafts = new Map<string, { blocks: types.KnownBlock[]; at: number }>();

  remember(channel: string, ts: string, blocks: types.KnownBlock[], now = Date.now()): void {
    for (const [key, draft] of this.#drafts) if (now - draft.at > DRAFT_TTL_MS || this.#drafts.size >= MAX_DRAFTS) this.#drafts.delete(key);
    this.#drafts.set(`${channel}/${ts}`, { blocks, at: now });
  }

  take(channel: string, ts: string): types.KnownBlock[] {
    const key = `${channel}/${ts}`;
    const draft = this.#drafts.get(key);
    this.#drafts.delete(key);
    return draft?.blocks ?? [];
  }
}
