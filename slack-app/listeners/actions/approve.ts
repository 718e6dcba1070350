// The Approve button: acknowledge at once, then decide and update the message.
import { type DecisionDeps, decideFromSlack } from "../../decide.ts";
import { admitClick, type ButtonClickArgs } from "./click.ts";

export const approveClicked =
  (deps: DecisionDeps) =>
  async ({ ack, body, action, client, logger }: ButtonClickArgs): Promise<void> => {
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
  };
