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
  approvals?: Array<{ reviewer: Reviewer }>;
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
  return {
    type: "rich_text",
    block_id: "greenlight_outcome",
    elements: [{ type: "rich_text_section", elements: line }, ...reason, ...approvalsLine(decision)],
  };
};

/** Under a quorum, who approved: "2 of 2 approvals: ada, grace", or "1 approval before the rejection: ada". */
const approvalsLine = ({ decision, approvals }: { decision: "approve" | "reject"; approvals?: Array<{ reviewer: Reviewer }> }) => {
  if (!approvals?.length) return [];
  const n = approvals.length;
  const count = decision === "approve" ? `${n} of ${n} approvals` : `${n} approval${n === 1 ? "" : "s"} before the rejection`;
  const names = approvals.flatMap(({ reviewer }, index) => [...(index > 0 ? [plain(", ")] : []), ...named(reviewer)]);
  return [{ type: "rich_text_section", elements: [plain(`${count}: `), ...names] }];
};

/** The approval count above the buttons while a quorum is not yet reached. */
export const approvalsCount = (counted: Reviewer[], required: number) => ({
  type: "rich_text",
  block_id: "greenlight_approvals",
  elements: [
    {
      type: "rich_text_section",
      elements: [
        { type: "emoji", name: "ballot_box_with_check" },
        plain(` ${counted.length} of ${required} approvals`),
        ...(counted.length > 0
          ? [plain(": "), ...counted.flatMap((reviewer, index) => [...(index > 0 ? [plain(", ")] : []), ...named(reviewer)])]
          : []),
      ],
    },
  ],
});

/** Approve and Reject, carrying the task id. */
export const decisionButtons = (taskId: string) => ({
  type: "actions",
  block_id: "greenlight_decision",
  elements: [
    { type: "button", action_id: "greenlight_approve", style: "primary", value: taskId, text: { type: "plain_text", text: "Approve" } },
    { type: "button", action_id: "greenlight_reject", style: "danger", value: taskId, text: { type: "plain_text", text: "Reject" } },
  ],
});

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
