// The Approve button: acknowledge at once, then decide and update the message.
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { APPROVE_ACTION } from "../../blocks/ids.ts";
import { type DecisionDeps, decideFromSlack, mayDecide, NOT_ALLOWED, tellUser } from "../../decide.ts";
import { readClick } from "./click.ts";

export function registerApprove(app: App, deps: DecisionDeps): void {
  app.action<BlockAction<ButtonAction>>(APPROVE_ACTION, async ({ ack, body, action, client, logger }) => {
    // Slack wants the acknowledgement within 3 seconds; Greenlight is called after it.
    await ack();
    const click = readClick(body, action);
    if ("problem" in click) {
      if (body.channel?.id) await tellUser(client, logger, { channel: body.channel.id, user: body.user.id }, click.problem);
      return;
    }
    if (!mayDecide(deps.approverIds, body.user.id)) return tellUser(client, logger, { channel: click.channel, user: body.user.id }, NOT_ALLOWED);
    await decideFromSlack(deps, client, logger, {
      taskId: click.taskId,
      decision: "approve",
      reviewer: click.reviewer,
      message: { channel: click.channel, ts: click.messageTs, blocks: click.blocks },
    });
  });
}
