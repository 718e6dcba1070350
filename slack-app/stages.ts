// Poster mode's reminders and escalations: take the due ones from Greenlight, post each where its policy says, confirm it.
import type { Logger, webApi } from "@slack/bolt";
import type { DueStage } from "../worker/src/domain/due-stage.ts";
import { type StageName, stageName } from "../worker/src/domain/stages.ts";
import { escalationText, groupEscalationText, reminderText, USER_GROUP_ID } from "./blocks/stage-message.ts";
import { describe } from "./decide.ts";
import type { UnconfirmedStages } from "./message-store.ts";
import type { WorkerClient } from "./worker-client.ts";

export type StageDeps = {
  greenlight: WorkerClient;
  client: webApi.WebClient;
  unconfirmed: UnconfirmedStages;
  logger: Logger;
  /** The review channel: where a reminder goes when its task was never announced. */
  channel: string;
  batchSize: number;
};

/**
 * Posts each due stage once and confirms it. A stage Slack refused is not confirmed, so Greenlight hands it out again
 * when its lease (CLAIM_LEASE) runs out; a confirmation that failed is sent again next round, never the post.
 */
export async function deliverDueStages(deps: StageDeps): Promise<void> {
  for (const { taskId, stage } of deps.unconfirmed.all()) await confirm(deps, taskId, stage);
  for (const due of await deps.greenlight.dueStages(deps.batchSize)) {
    const stage = stageName(due);
    if (!deps.unconfirmed.has(due.taskId, stage)) {
      try {
        await post(deps, due);
      } catch (error) {
        deps.logger.error(`poster: posting ${stage} of ${due.taskId} failed, it comes back after the lease: ${describe(error)}`);
        continue;
      }
      deps.unconfirmed.add(due.taskId, stage);
    }
    await confirm(deps, due.taskId, stage);
  }
}

/**
 * A reminder replies in the review message's thread. An escalation to a user group mentions it there and shows the
 * reply in the channel too; one to a channel or person goes there, with a link to the review message.
 */
async function post(deps: StageDeps, due: DueStage): Promise<void> {
  const quiet = { unfurl_links: false, unfurl_media: false };
  const thread = due.announcement;
  // A task never announced has no thread: its reminder goes to the review channel instead.
  const reply = (text: string, broadcast: boolean) =>
    thread
      ? deps.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.messageTs, reply_broadcast: broadcast, text, ...quiet })
      : deps.client.chat.postMessage({ channel: deps.channel, text, ...quiet });
  const target = due.escalateTo;
  if (due.stage === "reminder") await reply(reminderText(due), false);
  else if (target === null || USER_GROUP_ID.test(target))
    await reply(target === null ? escalationText(due, null) : groupEscalationText(due, target), true);
  else await deps.client.chat.postMessage({ channel: target, text: escalationText(due, await permalink(deps, due)), ...quiet });
  deps.logger.info(`poster: posted ${stageName(due)} of ${due.taskId}`);
}

/** The review message's link, or null when it has none or Slack will not say (the message was deleted, say). */
async function permalink(deps: StageDeps, due: DueStage): Promise<string | null> {
  if (!due.announcement) return null;
  try {
    const answer = await deps.client.chat.getPermalink({ channel: due.announcement.channel, message_ts: due.announcement.messageTs });
    return answer.permalink ?? null;
  } catch (error) {
    deps.logger.warn(`poster: no link to the review message of ${due.taskId}: ${describe(error)}`);
    return null;
  }
}

async function confirm(deps: StageDeps, taskId: string, stage: StageName): Promise<void> {
  try {
    await deps.greenlight.confirmStage(taskId, stage);
    deps.unconfirmed.forget(taskId, stage);
  } catch (error) {
    deps.logger.warn(`poster: confirming ${stage} of ${taskId} failed, retrying next round: ${describe(error)}`);
  }
}
