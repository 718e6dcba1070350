// The Block Kit builders every path shares: pending, approved, rejected, expired, conflict, the modal and the Home tab,
// and what they make of hostile client metadata, reviewer names and reasons.
import { describe, expect, it } from "vitest";
import { type ReviewItem, ReviewItemSchema } from "../../worker/src/domain/review.ts";
import type { Decision } from "../../worker/src/domain/task.ts";
import { buildAppHome, buildNonApproverHome, NOT_AN_APPROVER_NOTE } from "../../slack-app/blocks/app-home.ts";
import { buildOutcomeMessage, reviewBodyOf } from "../../slack-app/blocks/outcome-message.ts";
import { buildRejectModal, reasonError } from "../../slack-app/blocks/reject-modal.ts";
import { buildReviewBody, buildReviewMessage } from "../../slack-app/blocks/review-message.ts";
import { PREVIEW_NOTE, sendWithImageFallback, withoutImages } from "../../slack-app/blocks/without-images.ts";

const TASK = `tsk_${"a".repeat(32)}`;
const TWIN = `tsk_${"b".repeat(32)}`;
const PREVIEW = `https://greenlight.example/v1/images/${TASK}?expires=1767409445&sig=abc`;
// 2026-01-02T03:04:05Z and a day later.
const CREATED = { iso: "2026-01-02T03:04:05.000Z", unix: 1767323045, utc: "2026-01-02 03:04 UTC" };
const DEADLINE = { iso: "2026-01-03T03:04:05.000Z", unix: 1767409445, utc: "2026-01-03 03:04 UTC" };
const date = (d: { unix: number; utc: string }) => `<!date^${d.unix}^{date_short_pretty} at {time}|${d.utc}>`;
const richDate = (d: { unix: number; utc: string }) => ({
  type: "date",
  timestamp: d.unix,
  format: "{date_short_pretty} at {time}",
  fallback: d.utc,
});
// Everything a client or reviewer could write to make Slack ping, link or format: none of it may reach mrkdwn as is.
const HOSTILE = "``` <!channel> <https://evil.example|click> *bold* @here";
const HOSTILE_FRAGMENTS = ["```", "<!channel>", "<https://evil.example|click>", "*bold*", "@here"];

/** Every mrkdwn string in a message's blocks: the only block text Slack parses for formatting, mentions and links. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (!value || typeof value !== "object") return [];
  const object = value as Record<string, unknown>;
  const own = object.type === "mrkdwn" && typeof object.text === "string" ? [object.text] : [];
  return [...own, ...Object.values(object).flatMap(mrkdwnTexts)];
}

const item: ReviewItem = ReviewItemSchema.parse({
  taskId: TASK,
  createdAt: CREATED.iso,
  reviewDeadline: DEADLINE.iso,
  client: "demo",
  metadata: { order: 42, note: "<b>&" },
  image: { contentType: "image/png", bytes: 2048, width: 640, height: 480, previewUrl: PREVIEW },
  prescreen: {
    facts: [
      { label: "png", score: 1, source: "format" },
      { label: "landscape", score: 1, source: "geometry" },
      { label: "blue", score: 0.62, source: "colour" },
    ],
    perceptualHash: "0123456789abcdef",
    nearDuplicates: [{ taskId: TWIN, distance: 3 }],
    unreadable: null,
  },
  approvals: [],
  approvalsRequired: 1,
  stages: [],
});

const ada = { id: "U0ADA", name: "ada" };
const approvedByAda: Decision = { decision: "approve", reviewer: ada, reason: null, decidedAt: CREATED.iso, via: "slack-app" };

const BODY = [
  { type: "section", block_id: "greenlight_summary", text: { type: "mrkdwn", text: "*Image to review* from *demo*" } },
  { type: "image", block_id: "greenlight_image", image_url: PREVIEW, alt_text: "image/png image, 640×480 px, from demo" },
  {
    type: "section",
    block_id: "greenlight_facts",
    fields: [
      { type: "mrkdwn", text: "*Size*\n2.0 KB" },
      { type: "mrkdwn", text: "*Dimensions*\n640 × 480 px" },
      { type: "mrkdwn", text: "*Type*\nimage/png" },
      { type: "mrkdwn", text: `*Uploaded*\n${date(CREATED)}` },
      { type: "mrkdwn", text: `*Review deadline*\n${date(DEADLINE)}` },
    ],
  },
  {
    type: "rich_text",
    block_id: "greenlight_metadata",
    elements: [
      { type: "rich_text_section", elements: [{ type: "text", text: "Metadata", style: { bold: true } }] },
      { type: "rich_text_preformatted", elements: [{ type: "text", text: '{"order":42,"note":"<b>&"}' }] },
    ],
  },
  {
    type: "section",
    block_id: "greenlight_prescreen",
    text: {
      type: "mrkdwn",
      text: `*Pre-screen*\npng · landscape · blue 62%\n:warning: Looks like earlier uploads: \`${TWIN}\` (3/64 bits differ)`,
    },
  },
  { type: "context", block_id: "greenlight_task", elements: [{ type: "mrkdwn", text: `Task \`${TASK}\`` }] },
];

const BUTTONS = {
  type: "actions",
  block_id: "greenlight_decision",
  elements: [
    { type: "button", action_id: "greenlight_approve", style: "primary", value: TASK, text: { type: "plain_text", text: "Approve" } },
    { type: "button", action_id: "greenlight_reject", style: "danger", value: TASK, text: { type: "plain_text", text: "Reject" } },
  ],
};

describe("the review message", () => {
  it("shows the image, its facts, metadata and pre-screen, then Approve and Reject carrying the task id", () => {
    expect(buildReviewMessage(item)).toEqual({ text: `Image to review from demo (${TASK})`, blocks: [...BODY, BUTTONS] });
  });

  it("shows how many approvals a quorum needs and who gave them, above the buttons", () => {
    const grace = { id: "console-grace", name: "grace" };
    const counted = { ...item, approvalsRequired: 2, approvals: [{ reviewer: grace, decidedAt: CREATED.iso }] };
    const countLine = (elements: unknown[]) => ({
      type: "rich_text",
      block_id: "greenlight_approvals",
      elements: [{ type: "rich_text_section", elements: [{ type: "emoji", name: "ballot_box_with_check" }, ...elements] }],
    });
    expect(buildReviewMessage({ ...item, approvalsRequired: 2 }).blocks).toEqual([
      ...BODY,
      countLine([{ type: "text", text: " 0 of 2 approvals" }]),
      BUTTONS,
    ]);
    expect(buildReviewMessage(counted).blocks).toEqual([
      ...BODY,
      countLine([
        { type: "text", text: " 1 of 2 approvals" },
        { type: "text", text: ": " },
        { type: "text", text: "grace", style: { bold: true } },
      ]),
      BUTTONS,
    ]);
  });

  it("leaves out metadata and pre-screen when there are none, and says when the pixels could not be read", () => {
    const bare = { ...item, metadata: {}, prescreen: null };
    expect(buildReviewBody(bare).map((block) => block.block_id)).toEqual([
      "greenlight_summary",
      "greenlight_image",
      "greenlight_facts",
      "greenlight_task",
    ]);
    const unreadable = { ...item, prescreen: { facts: [], perceptualHash: null, nearDuplicates: [], unreadable: "too large to decode" } };
    expect(buildReviewBody(unreadable)[4]).toEqual({
      type: "rich_text",
      block_id: "greenlight_prescreen_unreadable",
      elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "Pixels could not be read: too large to decode" }] }],
    });
  });

  it("shows hostile metadata verbatim in a rich text code block that it cannot close, and nowhere in mrkdwn", () => {
    const metadata = { note: HOSTILE, "<@U0BOSS>": "_x_ ~y~ `z` :smile:" };
    const message = buildReviewMessage({ ...item, client: "<!channel>", metadata });
    expect(message.text).toBe(`Image to review from &lt;!channel&gt; (${TASK})`);
    expect(message.blocks.find((block) => block.block_id === "greenlight_metadata")).toEqual({
      type: "rich_text",
      block_id: "greenlight_metadata",
      elements: [
        { type: "rich_text_section", elements: [{ type: "text", text: "Metadata", style: { bold: true } }] },
        {
          type: "rich_text_preformatted",
          elements: [
            { type: "text", text: '{"note":"``` <!channel> <https://evil.example|click> *bold* @here","<@U0BOSS>":"_x_ ~y~ `z` :smile:"}' },
          ],
        },
      ],
    });
    expect(message.blocks[0]).toEqual({
      type: "section",
      block_id: "greenlight_summary",
      text: { type: "mrkdwn", text: "*Image to review* from *&lt;!channel&gt;*" },
    });
    const mrkdwn = mrkdwnTexts(message.blocks).join("\n");
    for (const fragment of [...HOSTILE_FRAGMENTS, "<@U0BOSS>", "_x_", "@here"]) expect(mrkdwn).not.toContain(fragment);
  });

  it("shows a hostile reason for unreadable pixels literally, never as mrkdwn", () => {
    const unreadable = { ...item, prescreen: { ...item.prescreen!, unreadable: `Length mismatch while decoding chunk ${HOSTILE}` } };
    const blocks = buildReviewBody(unreadable);
    expect(blocks.find((block) => block.block_id === "greenlight_prescreen_unreadable")).toEqual({
      type: "rich_text",
      block_id: "greenlight_prescreen_unreadable",
      elements: [
        {
          type: "rich_text_section",
          elements: [{ type: "text", text: `Pixels could not be read: Length mismatch while decoding chunk ${HOSTILE}` }],
        },
      ],
    });
    expect(blocks.find((block) => block.block_id === "greenlight_prescreen")).toEqual(BODY[4]);
    const mrkdwn = mrkdwnTexts(blocks).join("\n");
    for (const fragment of HOSTILE_FRAGMENTS) expect(mrkdwn).not.toContain(fragment);
  });
});

describe("the message after the review", () => {
  it("says who approved and when, without buttons", () => {
    expect(
      buildOutcomeMessage({ taskId: TASK, body: [...BODY, BUTTONS] as never, outcome: { kind: "decided", decision: approvedByAda } }),
    ).toEqual({
      text: `Approved by ada: ${TASK}`,
      blocks: [
        ...BODY,
        {
          type: "rich_text",
          block_id: "greenlight_outcome",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "emoji", name: "white_check_mark" },
                { type: "text", text: " " },
                { type: "text", text: "Approved", style: { bold: true } },
                { type: "text", text: " by " },
                { type: "text", text: "ada", style: { bold: true } },
                { type: "text", text: " (" },
                { type: "user", user_id: "U0ADA" },
                { type: "text", text: ")" },
                { type: "text", text: " on " },
                richDate(CREATED),
              ],
            },
          ],
        },
      ],
    });
  });

  it("quotes the reason of a rejection as it was written", () => {
    const rejected: Decision = { ...approvedByAda, decision: "reject", reason: "Shows a <script> & a face\nsecond line" };
    expect(buildOutcomeMessage({ taskId: TASK, body: [], outcome: { kind: "decided", decision: rejected } })).toEqual({
      text: `Rejected by ada: ${TASK}`,
      blocks: [
        {
          type: "rich_text",
          block_id: "greenlight_outcome",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "emoji", name: "x" },
                { type: "text", text: " " },
                { type: "text", text: "Rejected", style: { bold: true } },
                { type: "text", text: " by " },
                { type: "text", text: "ada", style: { bold: true } },
                { type: "text", text: " (" },
                { type: "user", user_id: "U0ADA" },
                { type: "text", text: ")" },
                { type: "text", text: " on " },
                richDate(CREATED),
              ],
            },
            { type: "rich_text_quote", elements: [{ type: "text", text: "Shows a <script> & a face\nsecond line" }] },
          ],
        },
      ],
    });
  });

  it("names a hostile reviewer and quotes their reason literally, and the notification text pings nobody", () => {
    const hostile: Decision = {
      decision: "reject",
      reviewer: { id: "console-mallory", name: HOSTILE },
      reason: `${HOSTILE}\n> not a quote`,
      decidedAt: CREATED.iso,
      via: "console",
    };
    const message = buildOutcomeMessage({ taskId: TASK, body: [], outcome: { kind: "decided", decision: hostile } });
    expect(message).toEqual({
      text: `Rejected by \`\`\` &lt;!channel&gt; &lt;https://evil.example|click&gt; *bold* @here: ${TASK}`,
      blocks: [
        {
          type: "rich_text",
          block_id: "greenlight_outcome",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "emoji", name: "x" },
                { type: "text", text: " " },
                { type: "text", text: "Rejected", style: { bold: true } },
                { type: "text", text: " by " },
                { type: "text", text: HOSTILE, style: { bold: true } },
                { type: "text", text: " on " },
                richDate(CREATED),
              ],
            },
            { type: "rich_text_quote", elements: [{ type: "text", text: `${HOSTILE}\n> not a quote` }] },
          ],
        },
      ],
    });
    expect(message.text).not.toMatch(/<|>/);
    expect(mrkdwnTexts(message.blocks)).toEqual([]);
  });

  it("says it expired, with the deadline when known", () => {
    expect(buildOutcomeMessage({ taskId: TASK, body: [], outcome: { kind: "expired", deadline: DEADLINE.iso } })).toEqual({
      text: `Expired: ${TASK}`,
      blocks: [
        {
          type: "section",
          block_id: "greenlight_outcome",
          text: {
            type: "mrkdwn",
            text: `:hourglass: *Expired*: no decision reached Greenlight before the review deadline (${date(DEADLINE)}).`,
          },
        },
      ],
    });
    expect(buildOutcomeMessage({ taskId: TASK, body: [], outcome: { kind: "expired", deadline: null } }).blocks[0]).toMatchObject({
      text: { text: ":hourglass: *Expired*: no decision reached Greenlight before the review deadline." },
    });
  });

  it("says the review closed because the client deleted the task, keeping the review without its buttons", () => {
    expect(buildOutcomeMessage({ taskId: TASK, body: buildReviewMessage(item).blocks, outcome: { kind: "withdrawn" } })).toEqual({
      text: `Withdrawn: ${TASK}`,
      blocks: [
        ...BODY,
        {
          type: "section",
          block_id: "greenlight_outcome",
          text: { type: "mrkdwn", text: ":wastebasket: *Withdrawn*: the client deleted this task, so its review is closed." },
        },
      ],
    });
  });

  it("shows the real winner of a conflict, and that the later choice was not recorded", () => {
    const winner: Decision = {
      decision: "reject",
      reviewer: { id: "console-user", name: "Grace <admin>" },
      reason: "duplicate",
      decidedAt: CREATED.iso,
      via: "console",
    };
    expect(
      buildOutcomeMessage({
        taskId: TASK,
        body: [],
        outcome: { kind: "conflict", winner, attempted: { decision: "approve", reviewer: ada } },
      }),
    ).toEqual({
      text: `Rejected by Grace &lt;admin&gt;: ${TASK}`,
      blocks: [
        {
          type: "rich_text",
          block_id: "greenlight_outcome",
          elements: [
            {
              type: "rich_text_section",
              // A console reviewer's id is not a Slack user id, so there is no mention.
              elements: [
                { type: "emoji", name: "x" },
                { type: "text", text: " " },
                { type: "text", text: "Rejected", style: { bold: true } },
                { type: "text", text: " by " },
                { type: "text", text: "Grace <admin>", style: { bold: true } },
                { type: "text", text: " on " },
                richDate(CREATED),
              ],
            },
            { type: "rich_text_quote", elements: [{ type: "text", text: "duplicate" }] },
          ],
        },
        {
          type: "rich_text",
          block_id: "greenlight_outcome_note",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "text", text: "ada", style: { bold: true } },
                { type: "text", text: " (" },
                { type: "user", user_id: "U0ADA" },
                { type: "text", text: ")" },
                { type: "text", text: " chose to approve after this decision; only the first decision counts, so that was not recorded." },
              ],
            },
          ],
        },
      ],
    });
  });

  it("names a hostile later clicker literally in the conflict note", () => {
    const attempted = { decision: "reject" as const, reviewer: { id: "U0MALLORY", name: "<!channel> *bold*" } };
    const note = buildOutcomeMessage({ taskId: TASK, body: [], outcome: { kind: "conflict", winner: approvedByAda, attempted } }).blocks[1];
    expect(note).toEqual({
      type: "rich_text",
      block_id: "greenlight_outcome_note",
      elements: [
        {
          type: "rich_text_section",
          elements: [
            { type: "text", text: "<!channel> *bold*", style: { bold: true } },
            { type: "text", text: " (" },
            { type: "user", user_id: "U0MALLORY" },
            { type: "text", text: ")" },
            { type: "text", text: " chose to reject after this decision; only the first decision counts, so that was not recorded." },
          ],
        },
      ],
    });
  });

  it("adds no note when the winner is the same reviewer making the same choice (a double click)", () => {
    const message = buildOutcomeMessage({
      taskId: TASK,
      body: [],
      outcome: { kind: "conflict", winner: approvedByAda, attempted: { decision: "approve", reviewer: ada } },
    });
    expect(message.blocks).toHaveLength(1);
  });

  it("keeps only the writable fields of an image block Slack handed back with the click", () => {
    const stored = {
      type: "image",
      block_id: "greenlight_image",
      image_url: PREVIEW,
      alt_text: "a",
      image_width: 640,
      image_height: 480,
      image_bytes: 2048,
      fallback: "640x480px image",
    };
    expect(reviewBodyOf([stored as never])).toEqual([{ type: "image", block_id: "greenlight_image", image_url: PREVIEW, alt_text: "a" }]);
  });

  it("replaces an earlier outcome rather than stacking a second one", () => {
    const first = buildOutcomeMessage({
      taskId: TASK,
      body: [...BODY, BUTTONS] as never,
      outcome: { kind: "conflict", winner: approvedByAda, attempted: { decision: "reject", reviewer: { id: "U0GRACE", name: "grace" } } },
    });
    expect(first.blocks.filter((block) => block.block_id?.startsWith("greenlight_outcome"))).toHaveLength(2);
    const second = buildOutcomeMessage({ taskId: TASK, body: first.blocks, outcome: { kind: "decided", decision: approvedByAda } });
    expect(reviewBodyOf(second.blocks)).toEqual(BODY);
    expect(second.blocks.filter((block) => block.block_id?.startsWith("greenlight_outcome"))).toHaveLength(1);
  });
});

describe("the reject modal", () => {
  it("asks for a required reason of at most 500 characters and carries where the click came from", () => {
    expect(buildRejectModal({ taskId: TASK, channel: "C1", messageTs: "1.2" })).toEqual({
      type: "modal",
      callback_id: "greenlight_reject_reason",
      private_metadata: JSON.stringify({ taskId: TASK, channel: "C1", messageTs: "1.2" }),
      title: { type: "plain_text", text: "Reject image" },
      submit: { type: "plain_text", text: "Reject" },
      close: { type: "plain_text", text: "Cancel" },
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: `Rejecting task \`${TASK}\`. The reason goes to the client with the result.` } },
        {
          type: "input",
          block_id: "reason",
          label: { type: "plain_text", text: "Reason" },
          element: {
            type: "plain_text_input",
            action_id: "reason",
            multiline: true,
            min_length: 1,
            max_length: 500,
            placeholder: { type: "plain_text", text: "Why is this image rejected?" },
          },
        },
      ],
    });
  });

  it("refuses an empty reason and one over 500 characters", () => {
    expect(reasonError("")).toBe("Please give a reason.");
    expect(reasonError("x".repeat(500))).toBeNull();
    expect(reasonError("x".repeat(501))).toBe("At most 500 characters, please (this has 501).");
  });
});

describe("the App Home tab", () => {
  const now = new Date("2026-01-02T06:04:05.000Z");

  it("shows the queue depth and the oldest tasks with their age and time left", () => {
    const view = buildAppHome({ kind: "queue", pending: 3, atLeast: false, oldest: [item] }, now);
    expect(view.type).toBe("home");
    expect(view.blocks[1]).toEqual({
      type: "section",
      block_id: "greenlight_queue_depth",
      text: { type: "mrkdwn", text: "*3* images wait for review." },
    });
    expect(view.blocks[4]).toEqual({
      type: "section",
      block_id: `greenlight_oldest_${TASK}`,
      text: {
        type: "mrkdwn",
        text: `\`${TASK}\` from *demo*\nWaiting 3 h · 21 h left (${date(DEADLINE)})\nimage/png, 640 × 480 px, 2.0 KB`,
      },
      accessory: { type: "image", image_url: PREVIEW, alt_text: `preview of ${TASK}` },
    });
    expect(view.blocks.at(-1)).toEqual({
      type: "actions",
      elements: [{ type: "button", action_id: "greenlight_home_refresh", text: { type: "plain_text", text: "Refresh" } }],
    });
  });

  it("shows someone who is not an approver nothing of the queue, only a note saying why", () => {
    const view = buildNonApproverHome();
    expect(view).toEqual({
      type: "home",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Greenlight review queue" } },
        { type: "section", block_id: "greenlight_not_an_approver", text: { type: "plain_text", text: NOT_AN_APPROVER_NOTE } },
      ],
    });
    expect(NOT_AN_APPROVER_NOTE).toBe(
      "The review queue is shown to approvers only, and you are not on this app's approver list (SLACK_APPROVER_IDS). Ask whoever runs the Greenlight Slack app if you should be.",
    );
  });

  it("says when the count stopped at a limit, and when the queue cannot be read", () => {
    expect(buildAppHome({ kind: "queue", pending: 1000, atLeast: true, oldest: [] }, now).blocks[1]).toMatchObject({
      text: { text: "*1000+* images wait for review." },
    });
    expect(buildAppHome({ kind: "queue", pending: 1, atLeast: false, oldest: [] }, now).blocks[1]).toMatchObject({
      text: { text: "*1* image waits for review." },
    });
    expect(buildAppHome({ kind: "unavailable", reason: "the Slack app has no REVIEWER_TOKEN." }, now).blocks[1]).toEqual({
      type: "section",
      text: { type: "mrkdwn", text: ":warning: The queue cannot be shown: the Slack app has no REVIEWER_TOKEN." },
    });
  });
});

describe("messages whose images Slack cannot fetch", () => {
  it("swap the image for a note saying why, and drop image accessories", () => {
    const home = buildAppHome({ kind: "queue", pending: 1, atLeast: false, oldest: [item] }, new Date(CREATED.iso));
    expect(withoutImages(BODY as never)[1]).toEqual({
      type: "context",
      block_id: "greenlight_image",
      elements: [{ type: "mrkdwn", text: PREVIEW_NOTE }],
    });
    expect(withoutImages(BODY as never).filter((_, index) => index !== 1)).toEqual(BODY.filter((_, index) => index !== 1));
    expect(JSON.stringify(withoutImages(home.blocks))).not.toContain('"image"');
  });

  it("are sent again without images only when Slack answers invalid_blocks", async () => {
    const sent: unknown[][] = [];
    const slack = (error: string | null) => async (blocks: unknown[]) => {
      sent.push(blocks);
      if (error && sent.length === 1) throw Object.assign(new Error(`An API error occurred: ${error}`), { data: { ok: false, error } });
      return "ok";
    };
    expect(await sendWithImageFallback(BODY as never, slack("invalid_blocks"))).toBe("ok");
    expect(sent).toEqual([BODY, withoutImages(BODY as never)]);
    sent.length = 0;
    await expect(sendWithImageFallback(BODY as never, slack("channel_not_found"))).rejects.toThrow("channel_not_found");
    expect(sent).toHaveLength(1);
  });
});
