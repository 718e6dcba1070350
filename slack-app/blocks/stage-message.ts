// What a due reminder or escalation says in Slack. Only Greenlight's own values go into the text (a task id, a stage's
// number, a user group id checked against Slack's id shape, a permalink Slack made), so nothing here needs escaping.
import type { DueStage } from "../../worker/src/domain/due-stage.ts";

/** A Slack user group id, which a mention can name (`<!subteam^S…>`); any other target is a conversation to post to. */
export const USER_GROUP_ID = /^S[A-Z0-9]+$/;

export const reminderText = (stage: DueStage) => `:alarm_clock: Reminder ${stage.n}: task ${stage.taskId} is still waiting for review.`;

export const groupEscalationText = (stage: DueStage, group: string) =>
  `:rotating_light: Escalated to <!subteam^${group}>: task ${stage.taskId} is still waiting for review.`;

export const escalationText = (stage: DueStage, permalink: string | null) =>
  `:rotating_light: Escalated: task ${stage.taskId} is still waiting for review.${permalink ? ` <${permalink}|Open the review message>` : ""}`;
