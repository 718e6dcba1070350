// The Reject modal's submission: check the reason, close the modal, then decide and update the message.
import type { App, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import { TASK_ID_PATTERN } from "../../../worker/src/domain/task.ts";
import { reasonError } from "../../blocks/reject-modal.ts";
import { REASON_BLOCK, REASON_INPUT, REJECT_VIEW } from "../../blocks/ids.ts";
import { type DecisionDeps, decideFromSlack, mayDecide, NOT_ALLOWED, tellUser } from "../../decide.ts";
import type { OpenRejections } from "../../message-store.ts";
import { reviewerOf } from "../actions/click.ts";

const RejectContextSchema = z.object({ taskId: z.string().regex(TASK_ID_PATTERN), channel: z.string().min(1), messageTs: z.string().min(1) });

export function registerRejectReason(app: App, deps: DecisionDeps & { rejections: OpenRejections }): void {
  app.view<ViewSubmitAction>(REJECT_VIEW, async ({ ack, body, view, client, logger }) => {
    const context = RejectContextSchema.safeParse(safeJson(view.private_metadata));
    if (!context.success) {
      await ack({ response_action: "errors", errors: { [REASON_BLOCK]: "This dialog lost track of its task; close it and click Reject again." } });
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
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
