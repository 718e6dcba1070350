// Small pure helpers for Slack text: the one escape for mrkdwn, Slack-rendered dates, sizes and durations.
/**
 * Slack's mrkdwn (section and context text, every message's notification `text`, ephemeral messages) treats &, < and
 * > as control characters: `<!channel>`, `<@U123>` and `<https://x|label>` only exist through them. Escaping those
 * three is all mrkdwn allows (https://docs.slack.dev/messaging/formatting-message-text); *, _, ~ and ` cannot
 * be escaped, so text a client or reviewer wrote goes into rich text elements (see rich-text.ts), never into mrkdwn.
 * This is the app's only escape: every outside value that still lands in mrkdwn or a `text` passes through it.
 */
export const escapeText = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export const truncate = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** How every date is written: each reader sees it in their own time zone. */
export const DATE_FORMAT = "{date_short_pretty} at {time}";

/** The date's Unix seconds, and the UTC text shown where Slack cannot render it. */
export function datePieces(iso: string): { seconds: number; fallback: string } {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return { seconds, fallback: `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC` };
}

/** A date in mrkdwn. */
export function slackDate(iso: string): string {
  const { seconds, fallback } = datePieces(iso);
  return `<!date^${seconds}^${DATE_FORMAT}|${fallback}>`;
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

export const decisionVerb = (decision: "approve" | "reject") => (decision === "approve" ? "Approved" : "Rejected");
