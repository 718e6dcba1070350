// The App Home tab: for approvers, how many images wait for review and the oldest of them; for anyone else, only why not.
import type { types } from "@slack/bolt";
import type { ReviewItem } from "../../worker/src/domain/review.ts";
import { escapeText, formatBytes, formatDuration, slackDate } from "./format.ts";
import { HOME_REFRESH_ACTION } from "./ids.ts";

export type QueueSnapshot =
  /** `atLeast`: the count stopped at a page limit, so there are at least `pending`. */
  { kind: "queue"; pending: number; atLeast: boolean; oldest: ReviewItem[] } | { kind: "unavailable"; reason: string };

type HomeView = types.HomeView & { blocks: types.KnownBlock[] };

const HEADER: types.HeaderBlock = { type: "header", text: { type: "plain_text", text: "Greenlight review queue" } };

export const NOT_AN_APPROVER_NOTE =
  "The review queue is shown to approvers only, and you are not on this app's approver list (SLACK_APPROVER_IDS). Ask whoever runs the Greenlight Slack app if you should be.";

export function buildAppHome(snapshot: QueueSnapshot, now: Date): HomeView {
  const blocks: types.KnownBlock[] = [HEADER];
  if (snapshot.kind === "unavailable") {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `:warning: The queue cannot be shown: ${escapeText(snapshot.reason)}` } });
  } else {
    const count = `${snapshot.pending}${snapshot.atLeast ? "+" : ""}`;
    const noun = snapshot.pending === 1 && !snapshot.atLeast ? "image waits" : "images wait";
    blocks.push({ type: "section", block_id: "greenlight_queue_depth", text: { type: "mrkdwn", text: `*${count}* ${noun} for review.` } });
    if (snapshot.oldest.length > 0) {
      blocks.push({ type: "divider" }, { type: "section", text: { type: "mrkdwn", text: "*Oldest first*" } });
      for (const item of snapshot.oldest) blocks.push(oldestEntry(item, now));
    }
  }
  blocks.push(
    { type: "context", elements: [{ type: "mrkdwn", text: `As of ${slackDate(now.toISOString())}` }] },
    { type: "actions", elements: [{ type: "button", action_id: HOME_REFRESH_ACTION, text: { type: "plain_text", text: "Refresh" } }] },
  );
  return { type: "home", blocks };
}

/** Nothing of the queue (no count, no task, no preview URL): a note saying why. */
export function buildNonApproverHome(): HomeView {
  return {
    type: "home",
    blocks: [HEADER, { type: "section", block_id: "greenlight_not_an_approver", text: { type: "plain_text", text: NOT_AN_APPROVER_NOTE } }],
  };
}

function oldestEntry(item: ReviewItem, now: Date): types.SectionBlock {
  const waiting = formatDuration(now.getTime() - Date.parse(item.createdAt));
  const left = Date.parse(item.reviewDeadline) - now.getTime();
  const deadline = left > 0 ? `${formatDuration(left)} left (${slackDate(item.reviewDeadline)})` : "deadline passed";
  return {
    type: "section",
    block_id: `greenlight_oldest_${item.taskId}`,
    text: {
      type: "mrkdwn",
      text: `\`${item.taskId}\` from *${escapeText(item.client)}*\nWaiting ${waiting} · ${deadline}\n${item.image.contentType}, ${item.image.width} × ${item.image.height} px, ${formatBytes(item.image.bytes)}`,
    },
    accessory: { type: "image", image_url: item.image.previewUrl, alt_text: `preview of ${item.taskId}` },
  };
}
