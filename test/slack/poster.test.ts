// The poster's sweep of its own messages, with a Greenlight stand-in and the real Web API client against the local Slack
// stub: when it asks GET /v1/reviews/:id, what it shows, and what it does while the gate still says pending, Greenlight
// cannot be asked, or no longer knows the task. (The real app against the real stack is in slack-app.test.ts.)
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DueStage } from "../../worker/src/domain/due-stage.ts";
import type { ReviewItem, ReviewStatus } from "../../worker/src/domain/review.ts";
import type { Decision } from "../../worker/src/domain/task.ts";
import { buildOutcomeMessage } from "../../slack-app/blocks/outcome-message.ts";
import { buildReviewBody } from "../../slack-app/blocks/review-message.ts";
import { PostedMessages, UnconfirmedStages } from "../../slack-app/message-store.ts";
import { runPosterOnce, startPoster } from "../../slack-app/poster.ts";
import { createWorkerClient } from "../../slack-app/worker-client.ts";
import type { SlackStub } from "../support/slack-stub.ts";
import { BOT_TOKEN, STAND_IN, startSlackAndGreenlight } from "./fixtures.ts";
import { type GreenlightStandIn, reviewItem } from "./greenlight-stand-in.ts";
import { recordingLogger, stubClient } from "./listener-args.ts";

const HOUR = 60 * 60 * 1000;
const taskId = (n: number) => `tsk_${String(n).padStart(32, "0")}`;
const itemFor = (id: string, deadlineInMs: number): ReviewItem => reviewItem(id, deadlineInMs);

const olive = { id: "console-olive", name: "Olive" };
const decision = (kind: "approve" | "reject", reason: string | null = null): Decision => ({
  decision: kind,
  reviewer: olive,
  reason,
  decidedAt: new Date().toISOString(),
  via: "console",
});
const status = (item: ReviewItem, status: ReviewStatus["status"], decided: Decision | null = null): ReviewStatus => ({
  taskId: item.taskId,
  status,
  reviewDeadline: item.reviewDeadline,
  decision: decided,
  announcement: { channel: "C0REVIEWS", messageTs: "1.1" },
  approvals: [],
  approvalsRequired: 1,
  stages: [],
});

let slack: SlackStub;
let greenlight: GreenlightStandIn;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ slack, greenlight, close } = await startSlackAndGreenlight());
});
afterEach(() => close());

/**
 * A poster with one message per item; `listed` is what Greenlight lists as pending and `reviews` what its gate answers
 * (a task with no answer is unknown to it). Returns what the poster asked, the messages it updated and what it warned.
 */
function poster(items: ReviewItem[]) {
  const listed = {
    add(id: string) {
      greenlight.pending.push(items.find((item) => item.taskId === id)!);
    },
  };
  const logger = recordingLogger();
  const posted = new PostedMessages();
  for (const [index, item] of items.entries()) posted.add({ item, channel: "C0REVIEWS", ts: `1.${index}`, announced: true });
  const deps = {
    greenlight: createWorkerClient({ baseUrl: greenlight.url, ...STAND_IN }),
    client: stubClient(slack, BOT_TOKEN),
    posted,
    unconfirmed: new UnconfirmedStages(),
    logger,
    channel: "#greenlight-reviews",
    intervalMs: 1000,
    batchSize: 5,
  };
  return {
    deps,
    round: () => runPosterOnce(deps),
    listed,
    reviews: greenlight.reviews,
    posted,
    get asked() {
      return greenlight.requests
        .filter((request) => request.startsWith("GET /v1/reviews/"))
        .map((request) => request.slice("GET /v1/reviews/".length));
    },
    get updates() {
      return slack.callsTo("chat.update").map((call) => call.body as { channel: string; ts: string; text: string; blocks: unknown[] });
    },
    get warnings() {
      return logger.lines.filter((line) => /^(WARN|ERROR) /.test(line)).map((line) => line.replace(/^\w+ /, ""));
    },
  };
}

const closing = (item: ReviewItem, outcome: Parameters<typeof buildOutcomeMessage>[0]["outcome"]) => {
  const message = buildOutcomeMessage({ taskId: item.taskId, body: buildReviewBody(item), outcome });
  return { channel: "C0REVIEWS", text: message.text, blocks: message.blocks };
};

describe("the poster's sweep", () => {
  it("leaves a task that is still listed before its deadline alone, without asking about it", async () => {
    const item = itemFor(taskId(1), HOUR);
    const p = poster([item]);
    p.listed.add(item.taskId);
    await p.round();
    expect(p.asked).toEqual([]);
    expect(p.updates).toEqual([]);
    expect(p.posted.get(item.taskId)).toBeDefined();
  });

  it("names who decided, which way, when and why, once a task leaves the queue", async () => {
    const [rejected, approved] = [itemFor(taskId(1), HOUR), itemFor(taskId(2), HOUR)];
    const p = poster([rejected, approved]);
    const [rejection, approval] = [decision("reject", "blurry <again>"), decision("approve")];
    p.reviews.set(rejected.taskId, status(rejected, "rejected", rejection));
    p.reviews.set(approved.taskId, status(approved, "completed", approval));
    await p.round();
    expect(p.updates).toEqual([
      { ts: "1.0", ...closing(rejected, { kind: "decided", decision: rejection }) },
      { ts: "1.1", ...closing(approved, { kind: "decided", decision: approval }) },
    ]);
    expect(p.updates[0]!.text).toBe(`Rejected by Olive: ${rejected.taskId}`);
    expect(p.updates[0]!.blocks.at(-1)).toEqual({
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
            { type: "text", text: "Olive", style: { bold: true } },
            { type: "text", text: " on " },
            {
              type: "date",
              timestamp: Math.floor(Date.parse(rejection.decidedAt) / 1000),
              format: "{date_short_pretty} at {time}",
              fallback: expect.stringMatching(/ UTC$/),
            },
          ],
        },
        // The reason as Olive wrote it: rich text shows it literally, so nothing in it is escaped.
        { type: "rich_text_quote", elements: [{ type: "text", text: "blurry <again>" }] },
      ],
    });
    expect(p.updates[1]!.text).toBe(`Approved by Olive: ${approved.taskId}`);
    expect(p.posted.all()).toEqual([]);
  });

  it("asks the gate at the deadline even while the listing still shows the task, tells a late decision from an expiry, and closes each message once", async () => {
    const [decidedLate, expired] = [itemFor(taskId(1), -10), itemFor(taskId(2), -10)];
    const p = poster([decidedLate, expired]);
    for (const item of [decidedLate, expired]) p.listed.add(item.taskId);
    const late = decision("approve");
    p.reviews.set(decidedLate.taskId, status(decidedLate, "approved", late));
    p.reviews.set(expired.taskId, status(expired, "expired"));
    await p.round();
    expect(p.updates).toEqual([
      { ts: "1.0", ...closing(decidedLate, { kind: "decided", decision: late }) },
      { ts: "1.1", ...closing(expired, { kind: "expired", deadline: expired.reviewDeadline }) },
    ]);
    expect(p.updates.map((update) => update.text)).toEqual([`Approved by Olive: ${decidedLate.taskId}`, `Expired: ${expired.taskId}`]);
    expect(JSON.stringify(p.updates)).not.toMatch(/outside this app|unless/);

    // The listing still shows both and their deadlines have passed, yet closed messages are neither asked about nor updated again.
    await p.round();
    expect(p.asked).toEqual([decidedLate.taskId, expired.taskId]);
    expect(p.updates).toHaveLength(2);
  });

  it("keeps the message open and asks again next round while the gate still says pending", async () => {
    const item = itemFor(taskId(1), HOUR);
    const p = poster([item]);
    p.reviews.set(item.taskId, status(item, "pending"));
    await p.round();
    expect(p.updates).toEqual([]);
    expect(p.posted.get(item.taskId)).toBeDefined();

    const won = decision("reject", "duplicate");
    p.reviews.set(item.taskId, status(item, "rejected", won));
    await p.round();
    expect(p.asked).toEqual([item.taskId, item.taskId]);
    expect(p.updates).toEqual([{ ts: "1.0", ...closing(item, { kind: "decided", decision: won }) }]);
  });

  it("retries next round when Greenlight cannot be asked, and stops tracking a task Greenlight no longer knows", async () => {
    const [unreachable, unknown] = [itemFor(taskId(1), HOUR), itemFor(taskId(2), HOUR)];
    const p = poster([unreachable, unknown]);
    p.reviews.set(unreachable.taskId, { failWith: 503 });
    await p.round();
    expect(p.updates).toEqual([]);
    expect(p.posted.all().map((entry) => entry.item.taskId)).toEqual([unreachable.taskId]);
    expect(p.warnings).toEqual([
      `poster: asking how ${unreachable.taskId} ended failed, retrying next round: GET /v1/reviews/${unreachable.taskId} answered 503 internal_error: The stand-in was told to fail.`,
      `poster: Greenlight has no task ${unknown.taskId} any more; its message is left as it is`,
    ]);

    p.reviews.set(unreachable.taskId, status(unreachable, "expired"));
    await p.round();
    expect(p.updates).toEqual([{ ts: "1.0", ...closing(unreachable, { kind: "expired", deadline: unreachable.reviewDeadline }) }]);
  });

  it("leaves a message alone while a click on it is being decided", async () => {
    const item = itemFor(taskId(1), -10);
    const p = poster([item]);
    p.posted.get(item.taskId)!.deciding = true;
    p.reviews.set(item.taskId, status(item, "approved", decision("approve")));
    await p.round();
    expect(p.asked).toEqual([]);
    expect(p.updates).toEqual([]);
  });
});

describe("the poster's loop", () => {
  it("wakes at an open message's deadline, not an interval later, and closes it as the gate says", async () => {
    const item = itemFor(taskId(1), 300);
    const p = poster([item]);
    p.listed.add(item.taskId);
    p.reviews.set(item.taskId, status(item, "expired"));
    // An hour between rounds: only the deadline can wake the poster in time.
    const loop = startPoster({ ...p.deps, intervalMs: HOUR });
    try {
      const closedAt = await vi.waitFor(
        () => {
          expect(p.updates).toHaveLength(1);
          return Date.now();
        },
        { timeout: 5000, interval: 10 },
      );
      expect(closedAt).toBeGreaterThanOrEqual(Date.parse(item.reviewDeadline));
      expect(closedAt - Date.parse(item.reviewDeadline)).toBeLessThan(1000);
      expect(p.updates).toEqual([{ ts: "1.0", ...closing(item, { kind: "expired", deadline: item.reviewDeadline }) }]);
    } finally {
      await loop.stop();
    }
  });
});

describe("reminders and escalations", () => {
  const thread = { channel: "C0REVIEWS", messageTs: "1.0" };
  const due = (overrides: Partial<DueStage>): DueStage => ({
    taskId: taskId(1),
    stage: "reminder",
    n: 1,
    dueAt: new Date().toISOString(),
    escalateTo: null,
    announcement: thread,
    ...overrides,
  });
  const posts = () => slack.callsTo("chat.postMessage").map((call) => call.body);
  // The Web API client sends form fields, so Slack (and the stub) read booleans as text.
  const quiet = { unfurl_links: "false", unfurl_media: "false" };

  it("replies to the review message's thread with a reminder, confirms it, and never posts it again", async () => {
    const p = poster([]);
    greenlight.due.push(due({ n: 2 }));
    await p.round();
    await p.round();
    expect(posts()).toEqual([
      {
        channel: "C0REVIEWS",
        thread_ts: "1.0",
        reply_broadcast: "false",
        text: `:alarm_clock: Reminder 2: task ${taskId(1)} is still waiting for review.`,
        ...quiet,
      },
    ]);
    expect(greenlight.confirmedStages).toEqual([`${taskId(1)}/reminder-2`]);
  });

  it("mentions a user group in the thread and shows the reply in the channel; posts to a channel with a link to the message", async () => {
    const p = poster([]);
    greenlight.due.push(
      due({ stage: "escalation", n: null, escalateTo: "S0LEADS" }),
      due({
        taskId: taskId(2),
        stage: "escalation",
        n: null,
        escalateTo: "#leads",
        announcement: { channel: "C0REVIEWS", messageTs: "1.7" },
      }),
    );
    await p.round();
    expect(posts()).toEqual([
      {
        channel: "C0REVIEWS",
        thread_ts: "1.0",
        reply_broadcast: "true",
        text: `:rotating_light: Escalated to <!subteam^S0LEADS>: task ${taskId(1)} is still waiting for review.`,
        ...quiet,
      },
      {
        channel: "#leads",
        text: `:rotating_light: Escalated: task ${taskId(2)} is still waiting for review. <https://greenlight-test.slack.com/archives/C0REVIEWS/p17|Open the review message>`,
        ...quiet,
      },
    ]);
    expect(slack.callsTo("chat.getPermalink").map((call) => call.body)).toEqual([{ channel: "C0REVIEWS", message_ts: "1.7" }]);
    expect(greenlight.confirmedStages).toEqual([`${taskId(1)}/escalation`, `${taskId(2)}/escalation`]);
  });

  it("posts the reminder of a task never announced to the review channel", async () => {
    const p = poster([]);
    greenlight.due.push(due({ announcement: null }));
    await p.round();
    expect(posts()).toEqual([
      { channel: "#greenlight-reviews", text: `:alarm_clock: Reminder 1: task ${taskId(1)} is still waiting for review.`, ...quiet },
    ]);
  });

  it("confirms again, never posts again, when Greenlight fails the confirmation and hands the stage out again", async () => {
    const p = poster([]);
    greenlight.due.push(due({}));
    // The first round's confirmation fails, and so does the second round's retry before it asks what is due.
    greenlight.failConfirms = 2;
    await p.round();
    expect(greenlight.confirmedStages).toEqual([]);
    await p.round();
    await p.round();
    expect(posts()).toHaveLength(1);
    expect(greenlight.confirmedStages).toEqual([`${taskId(1)}/reminder-1`]);
    expect(p.warnings).toEqual([
      `poster: confirming reminder-1 of ${taskId(1)} failed, retrying next round: POST /v1/reviews/${taskId(1)}/stages/reminder-1/confirm answered 503 internal_error: The stand-in was told to fail.`,
      `poster: confirming reminder-1 of ${taskId(1)} failed, retrying next round: POST /v1/reviews/${taskId(1)}/stages/reminder-1/confirm answered 503 internal_error: The stand-in was told to fail.`,
    ]);
  });

  it("leaves a stage Slack refused unconfirmed, so Greenlight hands it out again after its lease", async () => {
    const p = poster([]);
    greenlight.due.push(due({}));
    await runPosterOnce({ ...p.deps, client: stubClient(slack, "xoxb-revoked") });
    expect(greenlight.confirmedStages).toEqual([]);
    expect(p.warnings).toEqual([
      `poster: posting reminder-1 of ${taskId(1)} failed, it comes back after the lease: An API error occurred: invalid_auth`,
    ]);
  });
});
