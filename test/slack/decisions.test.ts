// The Approve and Reject listeners and the reason modal, called directly as Bolt calls them: a recording ack, the real
// Web API client against the local Slack stub, and a Greenlight stand-in that answers as the contract does. (The same
// clicks through the real app and the real Worker are in slack-app.test.ts.)
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Decision } from "../../worker/src/domain/task.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { buildReviewMessage } from "../../slack-app/blocks/review-message.ts";
import { approveClicked } from "../../slack-app/listeners/actions/approve.ts";
import { rejectClicked } from "../../slack-app/listeners/actions/reject.ts";
import { rejectReasonSubmitted } from "../../slack-app/listeners/views/reject-reason.ts";
import { OpenRejections, PostedMessages } from "../../slack-app/message-store.ts";
import { createWorkerClient } from "../../slack-app/worker-client.ts";
import { blockActionsPayload } from "../support/slack-requests.ts";
import type { SlackStub } from "../support/slack-stub.ts";
import { approvalsCount, decisionButtons, decisionOutcome, expiredOutcome, lateNote } from "./expected-blocks.ts";
import { ADA, BOT_TOKEN, CHANNEL, GRACE, HOSTILE, MALLORY, STAND_IN, startSlackAndGreenlight } from "./fixtures.ts";
import { type GreenlightStandIn, newTaskId, reviewItem } from "./greenlight-stand-in.ts";
import { buttonClick, recordingAck, recordingLogger, stubClient, viewSubmission } from "./listener-args.ts";
import { viewSubmissionPayload } from "./slack-payloads.ts";

const OLIVE = { id: "console-olive", name: "Olive" };
const NOT_ALLOWED =
  "You are not one of this app's approvers (SLACK_APPROVER_IDS), so nothing was sent to Greenlight. Ask whoever runs the Greenlight Slack app to add you.";

let slack: SlackStub;
let greenlight: GreenlightStandIn;
let tsCounter = 0;
const nextTs = () => `1800000000.${String(++tsCounter).padStart(6, "0")}`;

let close: () => Promise<void>;
beforeEach(async () => {
  ({ slack, greenlight, close } = await startSlackAndGreenlight());
});
afterEach(() => close());

/** The app's dependencies, against the stand-in unless told otherwise, as app.ts builds them. */
function appDeps(options: { greenlightUrl?: string; decisionSecret?: string } = {}) {
  const greenlightUrl = options.greenlightUrl ?? greenlight.url;
  return {
    greenlight: createWorkerClient({
      baseUrl: greenlightUrl,
      decisionSecret: options.decisionSecret ?? STAND_IN.decisionSecret,
      reviewerToken: STAND_IN.reviewerToken,
    }),
    posted: new PostedMessages(),
    rejections: new OpenRejections(),
    approverIds: new Set([ADA.id, GRACE.id]),
    greenlightUrl,
  };
}
type Deps = ReturnType<typeof appDeps>;

/** A pending task at the stand-in. */
function pendingTask(): string {
  const taskId = newTaskId();
  greenlight.tasks.set(taskId, { state: "pending" });
  return taskId;
}

/** A decision already made at the stand-in, outside Slack. */
function decidedElsewhere(taskId: string, decision: Omit<Decision, "decidedAt" | "via">): Decision {
  const won: Decision = { ...decision, decidedAt: new Date().toISOString(), via: "console" };
  greenlight.tasks.set(taskId, { state: "decided", decision: won, jti: "elsewhere" });
  return won;
}

/** Clicks a button as Slack would deliver it to the listener; resolves once the listener has done everything. */
async function click(
  deps: Deps,
  actionId: "greenlight_approve" | "greenlight_reject",
  taskId: string,
  user: { id: string; name: string },
  messageTs: string,
) {
  const { ack, responses } = recordingAck();
  const logger = recordingLogger();
  const listener = actionId === "greenlight_approve" ? approveClicked(deps) : rejectClicked(deps);
  await listener({
    ack,
    client: stubClient(slack, BOT_TOKEN),
    logger,
    ...buttonClick(blockActionsPayload({ actionId, taskId, user, channel: CHANNEL, messageTs })),
  });
  return { acks: responses, logger };
}

/** Submits the reason modal that views.open received, with `reason` typed in. */
async function submitReason(deps: Deps, user: { id: string; name: string }, view: Record<string, unknown>, reason: string) {
  const { ack, responses } = recordingAck<unknown>();
  await rejectReasonSubmitted(deps)({
    ack,
    client: stubClient(slack, BOT_TOKEN),
    logger: recordingLogger(),
    ...viewSubmission(viewSubmissionPayload({ user, view, reason })),
  });
  return responses;
}

const updatesOf = (ts: string) => slack.callsTo("chat.update").filter((call) => call.body.ts === ts);
const ephemeralsTo = (user: { id: string }) => slack.callsTo("chat.postEphemeral").filter((call) => call.body.user === user.id);
const winnerAt = (taskId: string) => {
  const task = greenlight.tasks.get(taskId);
  if (task?.state !== "decided") throw new Error(`${taskId} is ${task?.state ?? "unknown"} at the stand-in`);
  return task.decision;
};

describe("Approve", () => {
  it("acknowledges before Greenlight is asked, sends the approver's decision, and replaces the buttons with who decided and when", async () => {
    const deps = appDeps();
    const taskId = pendingTask();
    const ts = nextTs();
    let decisionsAtAck = -1;
    const logger = recordingLogger();
    await approveClicked(deps)({
      ack: async () => {
        decisionsAtAck = greenlight.decisionTokens.length;
      },
      client: stubClient(slack, BOT_TOKEN),
      logger,
      ...buttonClick(blockActionsPayload({ actionId: "greenlight_approve", taskId, user: ADA, channel: CHANNEL, messageTs: ts })),
    });

    expect(decisionsAtAck).toBe(0);
    expect(greenlight.decisions).toEqual([expect.objectContaining({ sub: taskId, iss: "slack-app", decision: "approve", reviewer: ADA })]);
    expect(greenlight.decisions[0]!.reason).toBeUndefined();
    const decided = winnerAt(taskId);
    expect(slack.calls.map((call) => call.method)).toEqual(["chat.update"]);
    expect(slack.calls[0]).toMatchObject({
      token: BOT_TOKEN,
      body: { channel: CHANNEL, ts, text: `Approved by ada: ${taskId}`, blocks: [decisionOutcome(decided)] },
    });
    expect(logger.lines).toEqual([`INFO decision approve on ${taskId} by ${ADA.id}: decided`]);
  });

  it("shows the real winner on a message clicked after the task was decided elsewhere, and notes the late choice", async () => {
    const taskId = pendingTask();
    const olive = decidedElsewhere(taskId, { decision: "reject", reviewer: OLIVE, reason: "blurry" });
    const ts = nextTs();
    await click(appDeps(), "greenlight_approve", taskId, ADA, ts);
    const [update, ...more] = updatesOf(ts);
    expect(more).toEqual([]);
    expect(update!.body).toMatchObject({
      text: `Rejected by Olive: ${taskId}`,
      blocks: [decisionOutcome(olive), lateNote(ADA, "approve")],
    });
    expect(winnerAt(taskId)).toEqual(olive);
  });

  it("names a hostile winner and quotes their reason literally, and its notification text pings and links nothing", async () => {
    const taskId = pendingTask();
    const hostile = { id: "console-mallory", name: HOSTILE };
    const reason = "*bold* <!here> <@U0APPROVER> <https://evil.example|click>\n```";
    const won = decidedElsewhere(taskId, { decision: "reject", reviewer: hostile, reason });
    const ts = nextTs();
    await click(appDeps(), "greenlight_approve", taskId, ADA, ts);
    const [update] = updatesOf(ts);
    expect(update!.body.text).toBe(`Rejected by \`\`\` &lt;!channel&gt; &lt;https://evil.example|click&gt; *bold* @here: ${taskId}`);
    expect(update!.body.blocks).toEqual([decisionOutcome(won), lateNote(ADA, "approve")]);
  });

  it("replaces the buttons with the end of a review that expired, or whose task was deleted", async () => {
    const [expired, withdrawn] = [newTaskId(), newTaskId()];
    greenlight.tasks.set(expired, { state: "expired" });
    greenlight.tasks.set(withdrawn, { state: "withdrawn" });
    const [expiredTs, withdrawnTs] = [nextTs(), nextTs()];
    await click(appDeps(), "greenlight_approve", expired, ADA, expiredTs);
    await click(appDeps(), "greenlight_approve", withdrawn, ADA, withdrawnTs);

    expect(updatesOf(expiredTs).map((call) => call.body)).toEqual([
      { channel: CHANNEL, ts: expiredTs, text: `Expired: ${expired}`, blocks: [expiredOutcome(null)] },
    ]);
    expect(updatesOf(withdrawnTs).map((call) => call.body)).toEqual([
      {
        channel: CHANNEL,
        ts: withdrawnTs,
        text: `Withdrawn: ${withdrawn}`,
        blocks: [
          {
            type: "section",
            block_id: "greenlight_outcome",
            text: { type: "mrkdwn", text: ":wastebasket: *Withdrawn*: the client deleted this task, so its review is closed." },
          },
        ],
      },
    ]);
    expect(ephemeralsTo(ADA)).toEqual([]);
  });

  it("tells the clicker privately when Greenlight has no such task, and keeps the buttons", async () => {
    const taskId = newTaskId();
    const ts = nextTs();
    await click(appDeps(), "greenlight_approve", taskId, ADA, ts);
    expect(ephemeralsTo(ADA).map((call) => call.body)).toEqual([
      {
        channel: CHANNEL,
        user: ADA.id,
        text: `Greenlight (${greenlight.url}) has no task \`${taskId}\`, so nothing was recorded. Was this message posted by another Greenlight?`,
      },
    ]);
    expect(updatesOf(ts)).toEqual([]);
  });
});

describe("button values", () => {
  it("sends nothing for a button whose value is not a Greenlight task id, and says why", async () => {
    const ts = nextTs();
    const { acks } = await click(appDeps(), "greenlight_approve", "tsk_../../v1/tasks", ADA, ts);
    expect(acks).toEqual([undefined]);
    expect(slack.calls.map((call) => call.body)).toEqual([
      { channel: CHANNEL, user: ADA.id, text: "This button does not carry a Greenlight task id, so nothing was sent." },
    ]);
    expect(greenlight.requests).toEqual([]);
  });
});

describe("Approve under a quorum", () => {
  const SAM = { id: "U0SUBMITTER", name: "sam" };
  const quorumTask = (approvalsRequired: number, excludedReviewers: string[] = []) => {
    const taskId = newTaskId();
    greenlight.tasks.set(taskId, { state: "pending", policy: { approvalsRequired, onDeadline: "expire", excludedReviewers } });
    return taskId;
  };

  it("a click that only counts an approval shows the count and who approved, and keeps the buttons", async () => {
    const taskId = quorumTask(2);
    const ts = nextTs();
    const { logger } = await click(appDeps(), "greenlight_approve", taskId, ADA, ts);
    expect(updatesOf(ts).map((call) => call.body)).toEqual([
      { channel: CHANNEL, ts, text: `1 of 2 approvals: ${taskId}`, blocks: [approvalsCount([ADA], 2), decisionButtons(taskId)] },
    ]);
    expect(logger.lines).toEqual([`INFO decision approve on ${taskId} by ${ADA.id}: approval_counted`]);
    expect(ephemeralsTo(ADA)).toEqual([]);

    // The second approver decides: the count goes, and the outcome names both approvers.
    await click(appDeps(), "greenlight_approve", taskId, GRACE, ts);
    const decided = winnerAt(taskId);
    expect(decided.approvals?.map((approval) => approval.reviewer)).toEqual([ADA, GRACE]);
    expect(updatesOf(ts)[1]!.body).toEqual({
      channel: CHANNEL,
      ts,
      text: `Approved by grace: ${taskId}`,
      blocks: [decisionOutcome(decided)],
    });
  });

  it("updates the app's own message with the count, keeping its review and buttons", async () => {
    const deps = appDeps();
    const taskId = quorumTask(3);
    const ts = nextTs();
    const item = { ...reviewItem(taskId), approvalsRequired: 3 };
    deps.posted.add({ item, channel: CHANNEL, ts, announced: true });
    await click(deps, "greenlight_approve", taskId, GRACE, ts);
    expect(updatesOf(ts).map((call) => call.body.blocks)).toEqual([
      [...buildReviewMessage(item).blocks.slice(0, -2), approvalsCount([GRACE], 3), decisionButtons(taskId)],
    ]);
    expect(deps.posted.get(taskId)?.item.approvals).toEqual([{ reviewer: GRACE, decidedAt: expect.any(String) }]);
  });

  it("tells an excluded reviewer privately that their approval was not counted, and changes nothing", async () => {
    const taskId = quorumTask(2, [SAM.id]);
    const ts = nextTs();
    const deps = { ...appDeps(), approverIds: new Set([ADA.id, SAM.id]) };
    await click(deps, "greenlight_approve", taskId, SAM, ts);
    expect(ephemeralsTo(SAM).map((call) => call.body)).toEqual([
      {
        channel: CHANNEL,
        user: SAM.id,
        text: "This task's review policy does not let you approve it (its client named you, as the submitter may not approve their own image), so your approval was not counted. Other reviewers can still decide.",
      },
    ]);
    expect(updatesOf(ts)).toEqual([]);
    expect(greenlight.tasks.get(taskId)).toMatchObject({ state: "pending" });
  });
});

describe("Reject", () => {
  it("asks for a reason, refuses an empty or too long one in the dialog, and records the reason given", async () => {
    const deps = appDeps();
    const taskId = pendingTask();
    const ts = nextTs();
    const { acks } = await click(deps, "greenlight_reject", taskId, ADA, ts);
    expect(acks).toEqual([undefined]);
    const [opened, ...more] = slack.callsTo("views.open");
    expect(more).toEqual([]);
    expect(opened!.body.trigger_id).toBe("1111.2222.abcdef");
    expect(opened!.body.view).toMatchObject({
      type: "modal",
      callback_id: "greenlight_reject_reason",
      private_metadata: JSON.stringify({ taskId, channel: CHANNEL, messageTs: ts }),
      submit: { type: "plain_text", text: "Reject" },
      blocks: [
        expect.anything(),
        { type: "input", block_id: "reason", element: { type: "plain_text_input", action_id: "reason", max_length: 500 } },
      ],
    });
    const view = opened!.body.view as Record<string, unknown>;

    expect(await submitReason(deps, ADA, view, "   ")).toEqual([
      { response_action: "errors", errors: { reason: "Please give a reason." } },
    ]);
    expect(await submitReason(deps, ADA, view, "x".repeat(501))).toEqual([
      { response_action: "errors", errors: { reason: "At most 500 characters, please (this has 501)." } },
    ]);
    expect(greenlight.requests).toEqual([]);

    const reason = "Shows a <licence plate> & a face";
    expect(await submitReason(deps, ADA, view, reason)).toEqual([undefined]);
    expect(greenlight.decisions).toEqual([
      expect.objectContaining({ sub: taskId, iss: "slack-app", decision: "reject", reviewer: ADA, reason }),
    ]);
    const [update] = updatesOf(ts);
    // The reason as Ada typed it: shown literally, with nothing escaped.
    expect(update!.body.blocks).toEqual([decisionOutcome({ ...winnerAt(taskId), reason: "Shows a <licence plate> & a face" })]);
  });

  it("asks the reviewer to start again when the dialog has lost track of its task, and sends nothing", async () => {
    const responses = await submitReason(appDeps(), ADA, { private_metadata: "{not json" }, "Not ours");
    expect(responses).toEqual([
      { response_action: "errors", errors: { reason: "This dialog lost track of its task; close it and click Reject again." } },
    ]);
    expect(greenlight.requests).toEqual([]);
    expect(slack.calls).toEqual([]);
  });
});

describe("who may decide", () => {
  it("tells a reviewer who is not an approver so, privately, and sends nothing to Greenlight", async () => {
    const deps = appDeps();
    const taskId = pendingTask();
    const ts = nextTs();
    await click(deps, "greenlight_approve", taskId, MALLORY, ts);
    await click(deps, "greenlight_reject", taskId, MALLORY, ts);
    // A dialog opened while Mallory was still on the list, submitted after she was taken off it.
    await submitReason(deps, MALLORY, { private_metadata: JSON.stringify({ taskId, channel: CHANNEL, messageTs: ts }) }, "Not ours");

    expect(slack.calls.map((call) => call.method)).toEqual(["chat.postEphemeral", "chat.postEphemeral", "chat.postEphemeral"]);
    for (const call of slack.calls) expect(call.body).toEqual({ channel: CHANNEL, user: MALLORY.id, text: NOT_ALLOWED });
    expect(greenlight.requests).toEqual([]);
    expect(greenlight.tasks.get(taskId)).toEqual({ state: "pending" });
  });
});

describe("when Greenlight does not take the decision", () => {
  it("keeps the buttons and tells the reviewer, for a refused token (401)", async () => {
    const taskId = pendingTask();
    const ts = nextTs();
    await click(appDeps({ decisionSecret: "a-different-secret-0123456789abcdef" }), "greenlight_approve", taskId, ADA, ts);
    const [told, ...more] = ephemeralsTo(ADA);
    expect(more).toEqual([]);
    expect(told!.body.text).toMatch(
      /^Greenlight refused this decision \(401 invalid_token: .+\), so nothing was recorded and the buttons stay\. The Slack app's DECISION_SIGNING_SECRET probably differs/,
    );
    expect(updatesOf(ts)).toEqual([]);
    expect(greenlight.tasks.get(taskId)).toEqual({ state: "pending" });
  });

  it("keeps the buttons and tells the reviewer when Greenlight does not answer, or fails twice", async () => {
    const closedPort = await freePort();
    const taskId = pendingTask();
    const [unreachableTs, failingTs] = [nextTs(), nextTs()];
    await click(appDeps({ greenlightUrl: `http://127.0.0.1:${closedPort}` }), "greenlight_approve", taskId, ADA, unreachableTs);
    greenlight.failNext = 2;
    await click(appDeps(), "greenlight_approve", taskId, ADA, failingTs);

    expect(ephemeralsTo(ADA).map((call) => call.body.text)).toEqual([
      `Greenlight did not take this decision (no answer from Greenlight at http://127.0.0.1:${closedPort} (ECONNREFUSED)), so nothing was recorded and the buttons stay. Try again in a moment.`,
      "Greenlight did not take this decision (Greenlight answered 503), so nothing was recorded and the buttons stay. Try again in a moment.",
    ]);
    expect(slack.callsTo("chat.update")).toEqual([]);
    expect(greenlight.tasks.get(taskId)).toEqual({ state: "pending" });
  });
});

describe("the app's own messages (poster mode)", () => {
  /** Deps whose poster posted `taskId` as `ts`. */
  function posterDeps(taskId: string, ts: string) {
    const deps = appDeps();
    const item = reviewItem(taskId);
    deps.posted.add({ item, channel: CHANNEL, ts, announced: true });
    return { deps, body: buildReviewMessage(item).blocks.filter((block) => block.type !== "actions") };
  }

  it("keeps the image and facts on its own message when a reviewer approves there, and stops tracking it", async () => {
    const taskId = pendingTask();
    const ts = nextTs();
    const { deps, body } = posterDeps(taskId, ts);
    await click(deps, "greenlight_approve", taskId, ADA, ts);
    expect(updatesOf(ts).map((call) => call.body.blocks)).toEqual([[...body, decisionOutcome(winnerAt(taskId))]]);
    expect(deps.posted.all()).toEqual([]);
  });

  it("closes its own message too when the task is decided from another copy of it (an n8n message, say)", async () => {
    const taskId = pendingTask();
    const [ownTs, copyTs] = [nextTs(), nextTs()];
    const { deps, body } = posterDeps(taskId, ownTs);
    await click(deps, "greenlight_approve", taskId, ADA, copyTs);
    const outcome = decisionOutcome(winnerAt(taskId));
    expect(updatesOf(copyTs).map((call) => call.body.blocks)).toEqual([[outcome]]);
    expect(updatesOf(ownTs).map((call) => call.body.blocks)).toEqual([[...body, outcome]]);
  });

  it("shows only the winner on its own message when a late click on another copy lost", async () => {
    const taskId = pendingTask();
    const olive = decidedElsewhere(taskId, { decision: "reject", reviewer: OLIVE, reason: null });
    const [ownTs, copyTs] = [nextTs(), nextTs()];
    const { deps, body } = posterDeps(taskId, ownTs);
    await click(deps, "greenlight_approve", taskId, GRACE, copyTs);
    expect(updatesOf(copyTs).map((call) => call.body.blocks)).toEqual([[decisionOutcome(olive), lateNote(GRACE, "approve")]]);
    expect(updatesOf(ownTs).map((call) => call.body.blocks)).toEqual([[...body, decisionOutcome(olive)]]);
  });
});
