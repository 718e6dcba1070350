// The Reject button: open the modal that asks for a reason (the decision is sent when it is submitted).
import { escapeText } from "../../blocks/format.ts";
import { buildRejectModal } from "../../blocks/reject-modal.ts";
import { type DecisionDeps, describe, tellUser } from "../../decide.ts";
import type { OpenRejections } from "../../message-store.ts";
import { admitClick, type ButtonClickArgs } from "./click.ts";

export const rejectClicked =
  (deps: DecisionDeps & { rejections: OpenRejections }) =>
  async ({ ack, body, action, client, logger }: ButtonClickArgs): Promise<void> => {
    await ack();
    const click = await admitClick(body, action, deps.approverIds, client, logger);
    if (!click) return;
    deps.rejections.remember(click.channel, click.messageTs, click.blocks);
    try {
      // A trigger_id is good for 3 seconds, so the modal opens before anything slower happens.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildRejectModal({ taskId: click.taskId, channel: click.channel, messageTs: click.messageTs }),
      });
    } catch (error) {
      logger.warn(`views.open for ${click.taskId} failed: ${describe(error)}`);
      await tellUser(
        client,
        logger,
        { channel: click.channel, user: body.user.id },
        `The reason dialog could not be opened (${escapeText(describe(error))}); nothing was sent. Try again.`,
      );
    }
  };
