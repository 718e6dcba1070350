// Small pure helpers for Slack text: escaping, Slack-rendered dates, sizes, and who a reviewer is.
import type { Decision } from "../../worker/src/domain/task.ts";

/** Slack mrkdwn treats &, < and > as control characters; user-supplied text must escape them. */
export const escapeText = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export const truncate = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** A date each reader sees in their own time zone; the fallback (UTC) shows where Slack cannot render it. */
export function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  const fallback = `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${seconds}^{date_short_pretty} at {time}|${fallback}>`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "3 h 5 min", "42 s": a duration short enough for a list. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

// Decisions sent from Slack (by this app or n8n) carry Slack user ids, which Slack renders as a mention.
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** The reviewer as the message names them: their name, plus a mention when the id is a Slack user id. */
export function reviewerLabel(reviewer: Decision["reviewer"]): string {
  const name = `*${escapeText(reviewer.name)}*`;
  return SLACK_USER_ID.test(reviewer.id) ? `${name} (<@${reviewer.id}>)` : name;
}

export const decisionVerb = (decision: "approve" | "reject") => (decision === "approve" ? "Approved" : "Rejected");
