// The message a pending review is posted as: image, facts, pre-screen and the Approve/Reject buttons.
import type { types } from "@slack/bolt";
import type { ReviewItem } from "../../worker/src/domain/review.ts";
import { buildApprovalsBlocks } from "./approvals.ts";
import { escapeText, formatBytes, slackDate, truncate } from "./format.ts";
import { APPROVE_ACTION, DECISION_BLOCK, REJECT_ACTION } from "./ids.ts";
import { bold, paragraph, preformatted, richText, text } from "./rich-text.ts";

export type SlackMessage = { text: string; blocks: types.KnownBlock[] };

const METADATA_CHARS = 1000;

export function buildReviewMessage(item: ReviewItem): SlackMessage {
  return {
    text: `Image to review from ${escapeText(item.client)} (${item.taskId})`,
    blocks: [...buildReviewBody(item), ...buildApprovalsBlocks(item.approvals, item.approvalsRequired), buildDecisionButtons(item.taskId)],
  };
}

/**
 * Everything but the approval count and the buttons: what stays on the message once the review is over. Greenlight's own values (client id,
 * task ids, fact labels) are escaped into mrkdwn; what an uploader or a decoder wrote is rich text, shown literally.
 */
export function buildReviewBody(item: ReviewItem): types.KnownBlock[] {
  const { image } = item;
  const blocks: types.KnownBlock[] = [
    {
      type: "section",
      block_id: "greenlight_summary",
      text: { type: "mrkdwn", text: `*Image to review* from *${escapeText(item.client)}*` },
    },
    {
      type: "image",
      block_id: "greenlight_image",
      image_url: image.previewUrl,
      alt_text: `${image.contentType} image, ${image.width}×${image.height} px, from ${truncate(item.client, 200)}`,
    },
    {
      type: "section",
      block_id: "greenlight_facts",
      fields: [
        field("Size", formatBytes(image.bytes)),
        field("Dimensions", `${image.width} × ${image.height} px`),
        field("Type", image.contentType),
        field("Uploaded", slackDate(item.createdAt)),
        field("Review deadline", slackDate(item.reviewDeadline)),
      ],
    },
  ];
  // The client wrote the metadata: a code block in mrkdwn would end at its first ```, so it is a rich text code block.
  if (Object.keys(item.metadata).length > 0) {
    blocks.push(
      richText("greenlight_metadata", paragraph(bold("Metadata")), preformatted(truncate(JSON.stringify(item.metadata), METADATA_CHARS))),
    );
  }
  const prescreen = describePrescreen(item);
  if (prescreen) blocks.push({ type: "section", block_id: "greenlight_prescreen", text: { type: "mrkdwn", text: prescreen } });
  // A decoder's error message can quote the uploaded bytes, so it is shown literally.
  const unreadable = item.prescreen?.unreadable;
  if (unreadable)
    blocks.push(richText("greenlight_prescreen_unreadable", paragraph(text(`Pixels could not be read: ${truncate(unreadable, 300)}`))));
  blocks.push({ type: "context", block_id: "greenlight_task", elements: [{ type: "mrkdwn", text: `Task \`${item.taskId}\`` }] });
  return blocks;
}

export function buildDecisionButtons(taskId: string): types.ActionsBlock {
  return {
    type: "actions",
    block_id: DECISION_BLOCK,
    elements: [
      { type: "button", action_id: APPROVE_ACTION, style: "primary", value: taskId, text: { type: "plain_text", text: "Approve" } },
      { type: "button", action_id: REJECT_ACTION, style: "danger", value: taskId, text: { type: "plain_text", text: "Reject" } },
    ],
  };
}

const field = (name: string, value: string): types.MrkdwnElement => ({ type: "mrkdwn", text: `*${name}*\n${value}` });

function describePrescreen(item: ReviewItem): string | null {
  const { prescreen } = item;
  if (!prescreen) return null;
  const lines = ["*Pre-screen*"];
  if (prescreen.facts.length > 0) {
    const facts = prescreen.facts.map((fact) => (fact.source === "colour" ? `${fact.label} ${Math.round(fact.score * 100)}%` : fact.label));
    lines.push(escapeText(facts.join(" · ")));
  }
  if (prescreen.nearDuplicates.length > 0) {
    const twins = prescreen.nearDuplicates.map((twin) => `\`${escapeText(twin.taskId)}\` (${twin.distance}/64 bits differ)`);
    lines.push(`:warning: Looks like earlier uploads: ${twins.join(", ")}`);
  }
  return lines.length > 1 ? lines.join("\n") : null;
}
