// How far a review is towards its quorum: "1 of 2 approvals" and who approved, above the buttons.
import type { types } from "@slack/bolt";
import type { Approval } from "../../worker/src/domain/policy.ts";
import { APPROVALS_BLOCK } from "./ids.ts";
import { emoji, paragraph, reviewersElements, richText, text } from "./rich-text.ts";

export const approvalsCount = (counted: number, required: number) => `${counted} of ${required} approvals`;

/** Nothing under a single-approval policy, where the first approval decides; otherwise the count and who approved. */
export function buildApprovalsBlocks(approvals: Approval[], approvalsRequired: number): types.RichTextBlock[] {
  if (approvalsRequired <= 1) return [];
  const who = approvals.length > 0 ? [text(": "), ...reviewersElements(approvals.map((approval) => approval.reviewer))] : [];
  return [
    richText(
      APPROVALS_BLOCK,
      paragraph(emoji("ballot_box_with_check"), text(` ${approvalsCount(approvals.length, approvalsRequired)}`), ...who),
    ),
  ];
}
