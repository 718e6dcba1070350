// The message once a review is over: the review as it was, without buttons, and what happened to it.
import type { types } from "@slack/bolt";
import type { Decision, Reviewer } from "../../worker/src/domain/task.ts";
import { decisionVerb, escapeText, slackDate } from "./format.ts";
import { APPROVALS_BLOCK, DECISION_BLOCK, OUTCOME_BLOCK } from "./ids.ts";
import type { SlackMessage } from "./review-message.ts";
import { approvalsCount } from "./approvals.ts";
import { bold, date, emoji, paragraph, quote, reviewerElements, reviewersElements, richText, text } from "./rich-text.ts";

export type Outcome =
  /** Greenlight recorded this decision: ours, or (after a 409) the one that got there first. */
  | { kind: "decided"; decision: Decision }
  /** Someone tried to decide after the winner; the winner is what counts. */
  | { kind: "conflict"; winner: Decision; attempted: { decision: "approve" | "reject"; reviewer: Reviewer } }
  /** Its deadline passed with no decision, as Greenlight's gate (a 409 review_expired, or GET /v1/reviews/:id) says. */
  | { kind: "expired"; deadline: string | null }
  /** The client deleted the task before anyone decided, so its review is closed (a 409 review_withdrawn). */
  | { kind: "withdrawn" };

const NOTE_BLOCK = `${OUTCOME_BLOCK}_note`;

/**
 * Reviewers' names and reasons come from whoever decided (in Slack, n8n or the review console), so they are rich text,
 * shown literally; the notification `text` carries the name escaped, so a reviewer called <!channel> pings nobody.
 */
export function buildOutcomeMessage({
  taskId,
  body,
  outcome,
}: {
  taskId: string;
  body: types.KnownBlock[];
  outcome: Outcome;
}): SlackMessage {
  const blocks: types.KnownBlock[] = [...reviewBodyOf(body), describe(outcome)];
  const note = noteFor(outcome);
  if (note) blocks.push(note);
  return { text: `${summary(outcome)}: ${taskId}`, blocks };
}

/** A message's blocks without its buttons, its approval count or an earlier outcome, so an outcome can replace another. */
export function reviewBodyOf(blocks: readonly types.KnownBlock[]): types.KnownBlock[] {
  return blocks
    .filter((block) => {
      const id = "block_id" in block ? block.block_id : undefined;
      return block.type !== "actions" && id !== DECISION_BLOCK && id !== OUTCOME_BLOCK && id !== NOTE_BLOCK && id !== APPROVALS_BLOCK;
    })
    .map(writableImage);
}

// Slack returns image blocks with read-only fields (image_width, image_bytes, fallback...) that it may refuse on update.
function writableImage(block: types.KnownBlock): types.KnownBlock {
  if (block.type !== "image" || !("image_url" in block) || block.image_url === undefined) return block;
  const { block_id, image_url, alt_text, title } = block;
  return { type: "image", image_url, alt_text, ...(block_id === undefined ? {} : { block_id }), ...(title === undefined ? {} : { title }) };
}

function describe(outcome: Outcome): types.KnownBlock {
  switch (outcome.kind) {
    case "decided":
      return decisionBlock(outcome.decision);
    case "conflict":
      return decisionBlock(outcome.winner);
    case "expired": {
      const text = `:hourglass: *Expired*: no decision reached Greenlight before the review deadline${outcome.deadline ? ` (${slackDate(outcome.deadline)})` : ""}.`;
      return { type: "section", block_id: OUTCOME_BLOCK, text: { type: "mrkdwn", text } };
    }
    case "withdrawn":
      return {
        type: "section",
        block_id: OUTCOME_BLOCK,
        text: { type: "mrkdwn", text: ":wastebasket: *Withdrawn*: the client deleted this task, so its review is closed." },
      };
  }
}

function noteFor(outcome: Outcome): types.RichTextBlock | null {
  if (outcome.kind === "conflict") {
    const { winner, attempted } = outcome;
    if (winner.reviewer.id === attempted.reviewer.id && winner.decision === attempted.decision) return null;
    return richText(
      NOTE_BLOCK,
      paragraph(
        ...reviewerElements(attempted.reviewer),
        text(` chose to ${attempted.decision} after this decision; only the first decision counts, so that was not recorded.`),
      ),
    );
  }
  return null;
}

function decisionBlock(decision: Decision): types.RichTextBlock {
  const icon = decision.decision === "approve" ? "white_check_mark" : "x";
  const line = paragraph(
    emoji(icon),
    text(" "),
    bold(decisionVerb(decision.decision)),
    text(" by "),
    ...reviewerElements(decision.reviewer),
    text(" on "),
    date(decision.decidedAt),
  );
  // An empty reason has nothing to quote.
  const reason = decision.reason ? [quote(decision.reason)] : [];
  return richText(OUTCOME_BLOCK, line, ...reason, ...approvalsLine(decision));
}

/** Under a quorum: who approved (all of the quorum for an approval, those before it for a rejection). */
function approvalsLine({ decision, approvals }: Decision): types.RichTextSection[] {
  if (!approvals?.length) return [];
  const count =
    decision === "approve"
      ? approvalsCount(approvals.length, approvals.length)
      : `${approvals.length} approval${approvals.length === 1 ? "" : "s"} before the rejection`;
  return [paragraph(text(`${count}: `), ...reviewersElements(approvals.map((approval) => approval.reviewer)))];
}

function summary(outcome: Outcome): string {
  switch (outcome.kind) {
    case "decided":
    case "conflict": {
      const decision = outcome.kind === "decided" ? outcome.decision : outcome.winner;
      return `${decisionVerb(decision.decision)} by ${escapeText(decision.reviewer.name)}`;
    }
    case "expired":
      return "Expired";
    case "withdrawn":
      return "Withdrawn";
  }
}
