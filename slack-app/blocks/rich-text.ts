// Rich text pieces: the only way text written by a client or a reviewer enters a block, because Slack shows it literally.
// A rich text `text` element is rendered as the characters it holds: no mrkdwn, no <!channel> or <@U…>, no <url|label>
// (mentions, links and dates are elements of their own), and a preformatted element is a code block that its text
// cannot close (https://docs.slack.dev/reference/block-kit/blocks/rich-text-block). So nothing here escapes anything.
import type { types } from "@slack/bolt";
import type { Reviewer } from "../../worker/src/domain/task.ts";
import { DATE_FORMAT, datePieces } from "./format.ts";

export const text = (value: string): types.RichTextText => ({ type: "text", text: value });
export const bold = (value: string): types.RichTextText => ({ type: "text", text: value, style: { bold: true } });
export const emoji = (name: string): types.RichTextEmoji => ({ type: "emoji", name });
export const userMention = (userId: string): types.RichTextUserMention => ({ type: "user", user_id: userId });

/** A date each reader sees in their own time zone, written as slackDate() writes it in mrkdwn. */
export function date(iso: string): types.RichTextDate {
  const { seconds, fallback } = datePieces(iso);
  return { type: "date", timestamp: seconds, format: DATE_FORMAT, fallback };
}

export const paragraph = (...elements: types.RichTextElement[]): types.RichTextSection => ({ type: "rich_text_section", elements });
export const quote = (value: string): types.RichTextQuote => ({ type: "rich_text_quote", elements: [text(value)] });
export const preformatted = (value: string): types.RichTextPreformatted => ({ type: "rich_text_preformatted", elements: [text(value)] });

export const richText = (blockId: string, ...elements: types.RichTextBlockElement[]): types.RichTextBlock => ({
  type: "rich_text",
  block_id: blockId,
  elements,
});

// Decisions sent from Slack (by this app or n8n) carry Slack user ids, which Slack renders as a mention.
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A reviewer as messages name them: their name, plus a mention when the id is a Slack user id. */
export function reviewerElements(reviewer: Reviewer): types.RichTextElement[] {
  const name = bold(reviewer.name);
  return SLACK_USER_ID.test(reviewer.id) ? [name, text(" ("), userMention(reviewer.id), text(")")] : [name];
}

/** Several reviewers, each as reviewerElements names them, separated by commas. */
export const reviewersElements = (reviewers: Reviewer[]): types.RichTextElement[] =>
  reviewers.flatMap((reviewer, index) => [...(index > 0 ? [text(", ")] : []), ...reviewerElements(reviewer)]);
