// The modal a Reject click opens: a required reason of at most 500 characters, as decision tokens allow.
import type { types } from "@slack/bolt";
import { MAX_REASON_LENGTH } from "../../worker/src/domain/task.ts";
import { REASON_BLOCK, REASON_INPUT, REJECT_VIEW } from "./ids.ts";

/** Where the decision came from, carried through the modal in private_metadata (Slack allows 3,000 characters). */
export type RejectContext = { taskId: string; channel: string; messageTs: string };

export function buildRejectModal(context: RejectContext): types.ModalView {
  return {
    type: "modal",
    callback_id: REJECT_VIEW,
    private_metadata: JSON.stringify(context),
    title: { type: "plain_text", text: "Reject image" },
    submit: { type: "plain_text", text: "Reject" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `Rejecting task \`${context.taskId}\`. The reason goes to the client with the result.` },
      },
      {
        type: "input",
        block_id: REASON_BLOCK,
        label: { type: "plain_text", text: "Reason" },
        element: {
          type: "plain_text_input",
          action_id: REASON_INPUT,
          multiline: true,
          min_length: 1,
          max_length: MAX_REASON_LENGTH,
          placeholder: { type: "plain_text", text: "Why is this image rejected?" },
        },
      },
    ],
  };
}

/** The reason's problem as the modal shows it under the input, or null when it is fine. */
export function reasonError(reason: string): string | null {
  if (reason.length === 0) return "Please give a reason.";
  if (reason.length > MAX_REASON_LENGTH) return `At most ${MAX_REASON_LENGTH} characters, please (this has ${reason.length}).`;
  return null;
}
