// The Reject button: open the modal that asks for a reason (the decision is sent when it is submitted).
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { buildRejectModal } from "../../blocks/reject-modal.ts";
import { REJECT_ACTION } from "../../blocks/ids.ts";
import { type DecisionDeps, describe, mayDecide, NOT_ALLOWED, tellUser } from "../../decide.ts";
import type { OpenRejections } from "../../message-store.ts";
import { readClick } from "./click.ts";

export function registerReject(app: App, deps: DecisionDeps & { rejections: OpenRejections }): void {
  app.action<BlockAction<ButtonAction>>(REJECT_ACTION, async ({ ack, body, action, client, logger }) => {
    await ack();
    const click = readClick(body, action);
    if ("problem" in click) {
      if (body.channel?.id) await tellUser(client, logger, { channel: body.channel.id, user: body.user.id }, click.problem);
      return;
    }
    if (!mayDecide(deps.approverIds, body.user.id)) return tellUser(client, logger, { channel: click.channel, user: body.user.id }, NOT_ALLOWED);
    deps.rejections.remember(click.channel, click.messageTs, click.blocks);
    try {
      // A trigger_id is good for 3 seconds, so the modal opens before anything slower happens.
      await client.views.open({ trigger_id: body.trigger_id, view: buildRejectModal({ taskId: click.taskId, channel: click.channel, messageTs: click.messageTs }) });
    } catch (error) {
      logger.warn(`views.open for ${click.taskId} failed: ${describe(error)}`);
      await tellUser(client, logger, { channel: click.channel, user: body.user.id }, `The reason dialog could not be opened (${describe(error)}); nothing was sent. Try again.`);
    }
  });
}
