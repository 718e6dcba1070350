// The blocks a test expects once a review is over, written out as Slack receives them (not built with the app's own
// builders, so a builder that drifts fails the tests).
type Reviewer = { id: string; name: string };

const datePieces = (iso: string) => {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return { seconds, fallback: `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC` };
};

/** A date in mrkdwn, as Slack renders it in each reader's time zone. */
export const slackDate = (iso: string) => {
  const { seconds, fallback } = datePieces(iso);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${fallback}>`;
};

const bold = (text: string) => ({ type: "text", text, style: { bold: true } });
const plain = (text: string) => ({ type: "text", text });
/** The reviewer's name exactly as given, bold, with a mention when the id is a Slack user id. */
const named = (reviewer: Reviewer) =>
  /^U/.test(reviewer.id) ? [bold(reviewer.name), plain(" ("), { type: "user", user_id: reviewer.id }, plain(")")] : [bold(reviewer.name)];

/** The outcome block for a decision: who, which way, when, and the reason quoted as it was written. */
export const decisionOutcome = (decision: {
  decision: "approve" | "reject";
  reviewer: Reviewer;
  decidedAt: string;
  reason: string | null;
}) => {
  const { seconds, fallback } = datePieces(decision.decidedAt);
  const [icon, verb] = decision.decision === "approve" ? ["white_check_mark", "Approved"] : ["x", "Rejected"];
  const line = [
    { type: "emoji", name: icon },
    plain(" "),
    bold(verb),
    plain(" by "),
    ...named(decision.reviewer),
    plain(" on "),
    { type: "date", timestamp: seconds, format: "{date_short_pretty} at {time}", fallback },
  ];
  const reason = decision.reason ? [{ type: "rich_text_quote", elements: [plain(decision.reason)] }] : [];
  return { type: "rich_text", block_id: "greenlight_outcome", elements: [{ type: "rich_text_section", elements: line }, ...reason] };
};

/** The note under a conflict: who tried which choice too late. */
export const lateNote = (reviewer: Reviewer, choice: "approve" | "reject") => ({
  type: "rich_text",
  block_id: "greenlight_outcome_note",
  elements: [
    {
      type: "rich_text_section",
      elements: [
        ...named(reviewer),
        plain(` chose to ${choice} after this decision; only the first decision counts, so that was not recorded.`),
      ],
    },
  ],
});

/** The outcome block of an expired review, with its deadline when the message knows it. */
export const expiredOutcome = (deadline: string | null) => ({
  type: "section",
  block_id: "greenlight_outcome",
  text: {
    type: "mrkdwn",
    text: `:hourglass: *Expired*: no decision reached Greenlight before the review deadline${deadline ? ` (${slackDate(deadline)})` : ""}.`,
  },
});
