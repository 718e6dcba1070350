// The Approve button: acknowledge at once, then decide and update the message.
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { APPROVE_ACTION } from "../../blocks/ids.ts";
import { type DecisionDeps, decideFromSlack } from "../../decide.ts";
import { admitClick } from "./click.ts";

export function registerApprove(app: App, deps: DecisionDeps): void {
  app.action<BlockAction<ButtonAction>>(APPROVE_ACTION, async ({ ack, body, action, client, logger }) => {
    // Slack wants the acknowledgement within 3 seconds; Greenlight is called after it.
    await ack();
    const click = await admitClick(body, action, deps.approverIds, client, logger);
    if (!click) return;
    await decideFromSlack(deps, client, logger, {
      taskId: click.taskId,
      decision: "approve",
      reviewer: click.reviewer,
      message: { channel: click.channel, ts: click.messageTs, blocks: click.blocks },
    });
  });
}
