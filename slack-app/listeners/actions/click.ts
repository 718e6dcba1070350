// Reads a button click on a review message, checking what Slack sent before anything acts on it.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, Logger, SlackActionMiddlewareArgs, types, webApi } from "@slack/bolt";
import { TASK_ID_PATTERN } from "../../../worker/src/domain/task.ts";
import { mayDecide, NOT_ALLOWED, tellUser } from "../../decide.ts";

/** What a button's listener uses of Bolt's arguments, so a test can call it with a fake `ack` and `client`. */
export type ButtonClickArgs = Pick<
  SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs,
  "ack" | "body" | "action" | "client" | "logger"
>;

export type Click = {
  taskId: string;
  reviewer: { id: string; name: string };
  channel: string;
  messageTs: string;
  blocks: types.KnownBlock[];
};

/** The click, or why it cannot be acted on (a button value that is not a task id, a click outside a message). */
export function readClick(body: BlockAction<ButtonAction>, action: ButtonAction): Click | { problem: string } {
  const taskId = action.value ?? "";
  if (!TASK_ID_PATTERN.test(taskId)) return { problem: "This button does not carry a Greenlight task id, so nothing was sent." };
  const channel = stringOr(body.container.channel_id) ?? body.channel?.id;
  const messageTs = stringOr(body.container.message_ts) ?? body.message?.ts;
  if (!channel || !messageTs) return { problem: "This button is not on a channel message, so nothing was sent." };
  return { taskId, reviewer: reviewerOf(body.user), channel, messageTs, blocks: blocksOf(body.message?.blocks) };
}

/** The click when it is well formed and its user may decide; otherwise the clicker is told why not, and null. */
export async function admitClick(
  body: BlockAction<ButtonAction>,
  action: ButtonAction,
  approverIds: ReadonlySet<string>,
  client: webApi.WebClient,
  logger: Logger,
): Promise<Click | null> {
  const click = readClick(body, action);
  if ("problem" in click) {
    if (body.channel?.id) await tellUser(client, logger, { channel: body.channel.id, user: body.user.id }, click.problem);
    return null;
  }
  if (!mayDecide(approverIds, body.user.id)) {
    await tellUser(client, logger, { channel: click.channel, user: body.user.id }, NOT_ALLOWED);
    return null;
  }
  return click;
}

/** Greenlight takes names of 1 to 200 characters; Slack's username is the fallback for a missing name. */
export function reviewerOf(user: { id: string; name?: string; username?: string }): { id: string; name: string } {
  const name = (user.name || user.username || user.id).slice(0, 200);
  return { id: user.id, name };
}

const stringOr = (value: unknown) => (typeof value === "string" && value ? value : undefined);

// Blocks come back from Slack as it stored them; anything that is not a list of typed objects is dropped.
function blocksOf(value: unknown): types.KnownBlock[] {
  if (!Array.isArray(value)) return [];
  return value.filter((block): block is types.KnownBlock => typeof block === "object" && block !== null && typeof block.type === "string");
}
