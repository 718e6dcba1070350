// The Reject modal's submission: check the reason, close the modal, then decide and update the message.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import { jsonText } from "../../../worker/src/domain/json-text.ts";
import { TASK_ID_PATTERN } from "../../../worker/src/domain/task.ts";
import { REASON_BLOCK, REASON_INPUT } from "../../blocks/ids.ts";
import { reasonError } from "../../blocks/reject-modal.ts";
import { type DecisionDeps, decideFromSlack, mayDecide, NOT_ALLOWED, tellUser } from "../../decide.ts";
import type { OpenRejections } from "../../message-store.ts";
import { reviewerOf } from "../actions/click.ts";

// The modal carries where the click came from as JSON in private_metadata (see blocks/reject-modal.ts).
const RejectContextSchema = jsonText(
  z.object({ taskId: z.string().regex(TASK_ID_PATTERN), channel: z.string().min(1), messageTs: z.string().min(1) }),
);

/** What the submission's listener uses of Bolt's arguments, so a test can call it with a fake `ack` and `client`. */
export type ViewSubmitArgs = Pick<
  SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs,
  "ack" | "body" | "view" | "client" | "logger"
>;

export const rejectReasonSubmitted =
  (deps: DecisionDeps & { rejections: OpenRejections }) =>
  async ({ ack, body, view, client, logger }: ViewSubmitArgs): Promise<void> => {
    const context = RejectContextSchema.safeParse(view.private_metadata);
    if (!context.success) {
      await ack({
        response_action: "errors",
        errors: { [REASON_BLOCK]: "This dialog lost track of its task; close it and click Reject again." },
      });
      return;
    }
    const reason = (view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value ?? "").trim();
    const problem = reasonError(reason);
    if (problem) {
      await ack({ response_action: "errors", errors: { [REASON_BLOCK]: problem } });
      return;
    }
    await ack();
    const { taskId, channel, messageTs } = context.data;
    if (!mayDecide(deps.approverIds, body.user.id)) return tellUser(client, logger, { channel, user: body.user.id }, NOT_ALLOWED);
    await decideFromSlack(deps, client, logger, {
      taskId,
      decision: "reject",
      reason,
      reviewer: reviewerOf(body.user),
      message: { channel, ts: messageTs, blocks: deps.rejections.take(channel, messageTs) },
    });
  };
