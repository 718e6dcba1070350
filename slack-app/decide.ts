// One decision from Slack, whichever surface it came from: send it to Greenlight, then show the truth on the message.
import type { Logger, types, webApi } from "@slack/bolt";
import type { Reviewer } from "../worker/src/domain/task.ts";
import type { ApprovalProgress } from "../worker/src/domain/decision.ts";
import { approvalsCount, buildApprovalsBlocks } from "./blocks/approvals.ts";
import { buildDecisionButtons, buildReviewBody } from "./blocks/review-message.ts";
import { escapeText } from "./blocks/format.ts";
import { buildOutcomeMessage, type Outcome, reviewBodyOf } from "./blocks/outcome-message.ts";
import { sendWithImageFallback } from "./blocks/without-images.ts";
import type { PostedMessages } from "./message-store.ts";
import type { WorkerClient } from "./worker-client.ts";

export type DecisionDeps = { greenlight: WorkerClient; posted: PostedMessages; approverIds: ReadonlySet<string>; greenlightUrl: string };

export type SlackDecision = {
  taskId: string;
  decision: "approve" | "reject";
  reason?: string;
  reviewer: Reviewer;
  /** The message whose button was clicked; its blocks are kept when the outcome replaces the buttons. */
  message: { channel: string; ts: string; blocks: types.KnownBlock[] };
};

/** With SLACK_APPROVER_IDS empty, anyone who can see a review message (the channel's members) may decide. */
export const mayDecide = (approverIds: ReadonlySet<string>, userId: string) => approverIds.size === 0 || approverIds.has(userId);

/**
 * Only a listed approver sees the queue (tasks, preview URLs) on the Home tab. Anyone in the workspace can open the
 * app's Home, not just the review channel's members, so an empty list shows the queue to nobody.
 */
export const maySeeQueue = (approverIds: ReadonlySet<string>, userId: string) => approverIds.has(userId);

export const NOT_ALLOWED =
  "You are not one of this app's approvers (SLACK_APPROVER_IDS), so nothing was sent to Greenlight. Ask whoever runs the Greenlight Slack app to add you.";

/**
 * Sends the decision and shows what became of it: the one place a decision's outcome becomes Block Kit. An outcome
 * Greenlight recorded or closed replaces the buttons; anything that recorded nothing keeps them and tells the clicker.
 */
export async function decideFromSlack(deps: DecisionDeps, client: webApi.WebClient, logger: Logger, request: SlackDecision): Promise<void> {
  const { taskId } = request;
  const posted = deps.posted.get(taskId);
  if (posted) posted.deciding = true;
  try {
    const reply = await deps.greenlight.decide({ taskId, decision: request.decision, reviewer: request.reviewer, reason: request.reason });
    logger.info(`decision ${request.decision} on ${taskId} by ${request.reviewer.id}: ${reply.outcome}`);
    switch (reply.outcome) {
      case "decided":
        return await show(deps, client, logger, request, { kind: "decided", decision: reply.result.decision });
      case "approval_counted":
        return await showProgress(deps, client, logger, request, reply.progress);
      case "excluded":
        return await tell(
          client,
          logger,
          request,
          "This task's review policy does not let you approve it (its client named you, as the submitter may not approve their own image), so your approval was not counted. Other reviewers can still decide.",
        );
      case "already_decided":
        return await show(deps, client, logger, request, {
          kind: "conflict",
          winner: reply.decision,
          attempted: { decision: request.decision, reviewer: request.reviewer },
        });
      case "expired":
        return await show(deps, client, logger, request, { kind: "expired", deadline: posted?.item.reviewDeadline ?? null });
      case "withdrawn":
        return await show(deps, client, logger, request, { kind: "withdrawn" });
      case "not_found":
        return await tell(
          client,
          logger,
          request,
          `Greenlight (${deps.greenlightUrl}) has no task \`${taskId}\`, so nothing was recorded. Was this message posted by another Greenlight?`,
        );
      case "refused":
        return await tell(
          client,
          logger,
          request,
          `Greenlight refused this decision (${reply.status} ${escapeText(reply.code)}: ${escapeText(reply.message)}), so nothing was recorded and the buttons stay.` +
            (reply.status === 401
              ? " The Slack app's DECISION_SIGNING_SECRET probably differs from Greenlight's; tell whoever runs it."
              : ""),
        );
      case "unanswered":
        return await tell(
          client,
          logger,
          request,
          `Greenlight did not take this decision (${escapeText(reply.reason)}), so nothing was recorded and the buttons stay. Try again in a moment.`,
        );
    }
  } finally {
    if (posted) posted.deciding = false;
  }
}

/**
 * Replaces the buttons with the outcome on the clicked message and, when the poster posted its own message for the
 * task elsewhere, on that one too. A message this bot did not post cannot be edited; the clicker is told instead.
 */
async function show(deps: DecisionDeps, client: webApi.WebClient, logger: Logger, request: SlackDecision, outcome: Outcome): Promise<void> {
  const { taskId, message } = request;
  const own = deps.posted.get(taskId);
  deps.posted.forget(taskId);
  const clickedOwn = own !== undefined && own.channel === message.channel && own.ts === message.ts;
  const update = buildOutcomeMessage({ taskId, body: clickedOwn ? buildReviewBody(own.item) : message.blocks, outcome });
  try {
    await sendWithImageFallback(update.blocks, (blocks) =>
      client.chat.update({ channel: message.channel, ts: message.ts, text: update.text, blocks }),
    );
  } catch (error) {
    logger.warn(`chat.update for ${taskId} failed: ${describe(error)}`);
    await tell(client, logger, request, `${update.text}. (This message could not be updated: ${escapeText(describe(error))})`);
  }
  if (own && !clickedOwn) {
    // The app's own message shows the result; who clicked too late elsewhere is no news there.
    const settled: Outcome = outcome.kind === "conflict" ? { kind: "decided", decision: outcome.winner } : outcome;
    const closing = buildOutcomeMessage({ taskId, body: buildReviewBody(own.item), outcome: settled });
    await sendWithImageFallback(closing.blocks, (blocks) =>
      client.chat.update({ channel: own.channel, ts: own.ts, text: closing.text, blocks }),
    ).catch((error) => logger.warn(`chat.update of the app's own message for ${taskId} failed: ${describe(error)}`));
  }
}

/**
 * An approval that counted towards a quorum not yet reached: the clicked message (and the app's own, when it posted
 * one elsewhere) shows the count and who approved, and keeps its buttons for the next reviewer.
 */
async function showProgress(
  deps: DecisionDeps,
  client: webApi.WebClient,
  logger: Logger,
  request: SlackDecision,
  progress: ApprovalProgress,
): Promise<void> {
  const { taskId, message } = request;
  const own = deps.posted.get(taskId);
  if (own) own.item = { ...own.item, approvals: progress.approvals };
  const clickedOwn = own !== undefined && own.channel === message.channel && own.ts === message.ts;
  const text = `${approvalsCount(progress.approvals.length, progress.approvalsRequired)}: ${taskId}`;
  const update = (where: { channel: string; ts: string }, body: types.KnownBlock[]) =>
    sendWithImageFallback(
      [...body, ...buildApprovalsBlocks(progress.approvals, progress.approvalsRequired), buildDecisionButtons(taskId)],
      (blocks) => client.chat.update({ channel: where.channel, ts: where.ts, text, blocks }),
    );
  try {
    await update(message, clickedOwn ? buildReviewBody(own.item) : reviewBodyOf(message.blocks));
  } catch (error) {
    logger.warn(`chat.update for ${taskId} failed: ${describe(error)}`);
    await tell(
      client,
      logger,
      request,
      `Your approval was counted, ${text}. (This message could not be updated: ${escapeText(describe(error))})`,
    );
  }
  if (own && !clickedOwn) {
    await update(own, buildReviewBody(own.item)).catch((error) =>
      logger.warn(`chat.update of the app's own message for ${taskId} failed: ${describe(error)}`),
    );
  }
}

const tell = (client: webApi.WebClient, logger: Logger, request: SlackDecision, text: string) =>
  tellUser(client, logger, { channel: request.message.channel, user: request.reviewer.id }, text);

/** An ephemeral message: only this user sees it, in the channel where they clicked. Its `text` is mrkdwn: escape what goes in. */
export async function tellUser(
  client: webApi.WebClient,
  logger: Logger,
  where: { channel: string; user: string },
  text: string,
): Promise<void> {
  try {
    await client.chat.postEphemeral({ channel: where.channel, user: where.user, text });
  } catch (error) {
    logger.error(`could not tell ${where.user} in ${where.channel} "${text}": ${describe(error)}`);
  }
}

export const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
