// The Slack app as `npm run slack-app` runs it (real Bolt, real HTTP receiver, Socket Mode), driven by Slack-signed
// requests, against a local Slack Web API stub and the real local Greenlight stack: signatures, the receiver, and the
// full path from a click or the poster to the real Worker and back. The listeners' other cases, called directly, and
// the poster's expiry on a short deadline are in decisions.test.ts, app-home.test.ts and poster.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";
import type { ReviewPolicy } from "../../worker/src/domain/policy.ts";
import { DecisionResultSchema, type Task } from "../../worker/src/domain/task.ts";
import { devClient, setting } from "../../scripts/lib/dev-vars.ts";
import { type StackClients, stackClients } from "../../scripts/lib/greenlight-client.ts";
import { solidPng } from "../../scripts/lib/png.ts";
import { waitFor } from "../../scripts/lib/wait.ts";
import { type Stack, startStack, stopAllStacks, tail } from "../../scripts/lib/stack.ts";
import { type SlackCall, type SlackStub, startSlackStub } from "../support/slack-stub.ts";
import { blockActionsPayload, signedInteraction, slackSignature } from "../support/slack-requests.ts";
import { type SlackAppProcess, startSlackApp, stopAllSlackApps } from "./slack-app-process.ts";
import { decisionOutcome, lateNote } from "./expected-blocks.ts";
import { ADA, BOT_TOKEN, CHANNEL, GRACE, HOSTILE, MALLORY } from "./fixtures.ts";
import { appHomeOpenedEvent, eventCallback, homeRefreshPayload, signedEvent, viewSubmissionPayload } from "./slack-payloads.ts";
import { startSocketModeStub } from "./socket-mode-stub.ts";

const SIGNING_SECRET = "greenlight-test-signing-secret";

const client = devClient(setting("CLIENT_KEYS"));
const reviewerToken = setting("REVIEWER_TOKEN");
const decisionSecret = setting("DECISION_SIGNING_SECRET");

const stateDirs: string[] = [];
const stubs: SlackStub[] = [];
let stack: Stack;
let slack: SlackStub;
let app: SlackAppProcess;

let tsCounter = 0;
const nextTs = () => `1800000000.${String(++tsCounter).padStart(6, "0")}`;

const freshStateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "greenlight-slack-"));
  stateDirs.push(dir);
  return dir;
};
const newStub = async () => {
  const stub = await startSlackStub({ token: BOT_TOKEN });
  stubs.push(stub);
  return stub;
};
const apiFor = (target: Stack): StackClients => stackClients(target.baseUrl, { clientKey: client.key, reviewerToken });

/** The settings `npm run slack-app` would get, pointed at a stack and a stub. */
const appEnv = (target: Stack, stub: SlackStub, extra: Record<string, string> = {}) => ({
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_API_URL: stub.url,
  GREENLIGHT_URL: target.baseUrl,
  DECISION_SIGNING_SECRET: decisionSecret,
  SLACK_APPROVER_IDS: `${ADA.id},${GRACE.id}`,
  REVIEWER_TOKEN: reviewerToken,
  ...extra,
});

async function pendingIds(target: Stack): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const { data } = await apiFor(target).reviewer.api.GET("/v1/reviews", { params: { query: { limit: 100, cursor } } });
    if (!data) throw new Error("GET /v1/reviews failed");
    ids.push(...data.items.map((item) => item.taskId));
    cursor = data.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

/** GET /v1/reviews/:id: how the task's gate sees its review. */
async function reviewOf(target: Stack, taskId: string) {
  const { data } = await apiFor(target).reviewer.api.GET("/v1/reviews/{id}", { params: { path: { id: taskId } } });
  if (!data) throw new Error(`GET /v1/reviews/${taskId} failed`);
  return data;
}

const taskAt = async (target: Stack, taskId: string) => (await apiFor(target).client.getTask(taskId)).task;
const taskWhen = (target: Stack, taskId: string, until: (task: Task) => boolean = (task) => task.decision !== null) =>
  apiFor(target).client.waitForTask(taskId, { until, timeoutMs: 20_000, intervalMs: 100 });

/** A new task, once the workflow has pre-screened it and reviewers can list it. */
async function queuedTask(target: Stack, name: string, policy?: Partial<ReviewPolicy>): Promise<Task> {
  const { task } = await apiFor(target).client.upload(solidPng(48, 32, [40, 90, 200]), {
    contentType: "image/png",
    metadata: { test: name },
    policy,
  });
  await waitFor(`${name} to be listed`, async () => ((await pendingIds(target)).includes(task.taskId) ? true : undefined), {
    timeoutMs: 20_000,
    intervalMs: 100,
  });
  return task;
}

async function post(target: SlackAppProcess, signed: { body: string; headers: Record<string, string> }) {
  const started = performance.now();
  const response = await fetch(`${target.url}/slack/events`, { method: "POST", headers: signed.headers, body: signed.body });
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
}

const click = (
  target: SlackAppProcess,
  actionId: "greenlight_approve" | "greenlight_reject",
  taskId: string,
  user: { id: string; name: string },
  messageTs: string,
) => post(target, signedInteraction(SIGNING_SECRET, blockActionsPayload({ actionId, taskId, user, channel: CHANNEL, messageTs })));

const callFor = (stub: SlackStub, method: string, match: (call: SlackCall) => boolean, what: string) =>
  waitFor(
    `${method} ${what}`,
    () => stub.callsTo(method).find(match),
    { timeoutMs: 20_000, intervalMs: 50 },
    () => `calls so far: ${stub.calls.map((call) => call.method).join(", ")}\n${tail(app.output)}`,
  );

// What the app logs for each refused request: Bolt's signature check, and the receiver's own check of future timestamps.
const REFUSAL = /Failed to verify authenticity|Refused a Slack request whose x-slack-request-timestamp/;
const refusalsLogged = (target: SlackAppProcess) => target.output.filter((line) => REFUSAL.test(line)).length;

const updateOf = (stub: SlackStub, ts: string) => callFor(stub, "chat.update", (call) => call.body.ts === ts, `for message ${ts}`);

beforeAll(async () => {
  slack = await newStub();
  // A short claim lease: a task whose announcement were lost would come back to the poster within a test.
  stack = await startStack(freshStateDir(), { CLAIM_LEASE: "2 seconds" });
  app = await startSlackApp(appEnv(stack, slack));
}, 180_000);

afterAll(async () => {
  await stopAllSlackApps();
  await stopAllStacks();
  await Promise.all(stubs.map((stub) => stub.close()));
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

describe("the HTTP receiver", () => {
  it("refuses a bad signature, a timestamp more than 5 minutes old or ahead, and deciding nothing for any of them", async () => {
    const task = await queuedTask(stack, "refused");
    const ts = nextTs();
    const payload = blockActionsPayload({
      actionId: "greenlight_approve",
      taskId: task.taskId,
      user: ADA,
      channel: CHANNEL,
      messageTs: ts,
    });
    const now = Math.floor(Date.now() / 1000);
    const refusalsBefore = refusalsLogged(app);

    const wrongSecret = await post(app, signedInteraction("not-the-signing-secret", payload));
    const tampered = signedInteraction(SIGNING_SECRET, payload);
    const tamperedAnswer = await post(app, { ...tampered, body: tampered.body.replace(ADA.id, MALLORY.id) });
    const stale = await post(app, signedInteraction(SIGNING_SECRET, payload, String(now - 6 * 60)));
    const ahead = await post(app, signedInteraction(SIGNING_SECRET, payload, String(now + 6 * 60)));
    for (const answer of [wrongSecret, tamperedAnswer, stale, ahead]) expect(answer).toMatchObject({ status: 401, body: "" });

    // Each refusal is logged once the receiver is done with it; only then is "nothing happened" worth checking.
    await waitFor(
      "four refusals in the app's log",
      () => (refusalsLogged(app) - refusalsBefore >= 4 ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 20 },
      () => tail(app.output),
    );
    expect(refusalsLogged(app) - refusalsBefore).toBe(4);
    expect(await taskAt(stack, task.taskId)).toMatchObject({ status: "pending", decision: null });
    expect(slack.calls.filter((call) => JSON.stringify(call.body).includes(task.taskId) || call.body.ts === ts)).toEqual([]);
  });

  it("answers 400 to a correctly signed payload that is not JSON", async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = "payload=%7Bnot-json";
    const answer = await post(app, {
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": slackSignature(SIGNING_SECRET, timestamp, body),
      },
    });
    expect(answer).toMatchObject({ status: 400, body: "" });
    expect(app.child.exitCode).toBeNull();
  });
});

describe("Approve", () => {
  it("acknowledges at once, records the approver's decision, and replaces the buttons with who decided and when", async () => {
    const task = await queuedTask(stack, "approve");
    const ts = nextTs();
    const answer = await click(app, "greenlight_approve", task.taskId, ADA, ts);
    expect(answer).toMatchObject({ status: 200, body: "" });
    expect(answer.ms).toBeLessThan(3000);

    const decided = await taskWhen(stack, task.taskId);
    expect(decided.status === "approved" || decided.status === "completed").toBe(true);
    expect(decided.decision).toEqual({ decision: "approve", reviewer: ADA, reason: null, decidedAt: expect.any(String), via: "slack-app" });

    const update = await updateOf(slack, ts);
    expect(update.token).toBe(BOT_TOKEN);
    expect(update.body).toMatchObject({
      channel: CHANNEL,
      ts,
      text: `Approved by ada: ${task.taskId}`,
      blocks: [decisionOutcome(decided.decision!)],
    });
    expect(
      slack.callsTo("chat.postEphemeral").filter((call) => call.body.user === ADA.id && JSON.stringify(call.body).includes(task.taskId)),
    ).toEqual([]);
  });

  it("records one decision when two reviewers decide at once, and both messages name the winner", async () => {
    const task = await queuedTask(stack, "race");
    const [adaTs, graceTs] = [nextTs(), nextTs()];
    // Grace opens the reject dialog on her copy of the message first, then both submit at the same moment.
    expect(await click(app, "greenlight_reject", task.taskId, GRACE, graceTs)).toMatchObject({ status: 200, body: "" });
    const opened = await callFor(slack, "views.open", (call) => JSON.stringify(call.body.view).includes(graceTs), "for Grace's dialog");
    const submission = signedInteraction(
      SIGNING_SECRET,
      viewSubmissionPayload({ user: GRACE, view: opened.body.view as Record<string, unknown>, reason: "Not ours" }),
    );
    const approval = signedInteraction(
      SIGNING_SECRET,
      blockActionsPayload({ actionId: "greenlight_approve", taskId: task.taskId, user: ADA, channel: CHANNEL, messageTs: adaTs }),
    );
    const answers = await Promise.all([post(app, approval), post(app, submission)]);
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: "" });

    const decided = await taskWhen(stack, task.taskId);
    const winner = decided.decision!;
    const [loser, loserTs, winnerTs] = winner.reviewer.id === ADA.id ? [GRACE, graceTs, adaTs] : [ADA, adaTs, graceTs];
    expect([ADA.id, GRACE.id]).toContain(winner.reviewer.id);
    expect(winner.decision).toBe(winner.reviewer.id === ADA.id ? "approve" : "reject");

    const verb = winner.decision === "approve" ? "Approved" : "Rejected";
    const [winnerUpdate, loserUpdate] = await Promise.all([updateOf(slack, winnerTs), updateOf(slack, loserTs)]);
    for (const update of [winnerUpdate, loserUpdate]) {
      expect(update.body.text).toBe(`${verb} by ${winner.reviewer.name}: ${task.taskId}`);
      expect(update.body.blocks).toContainEqual(decisionOutcome(winner));
    }
    const loserChoice = loser.id === ADA.id ? "approve" : "reject";
    expect(loserUpdate.body.blocks).toContainEqual(lateNote(loser, loserChoice));

    // Greenlight kept the winner: a later decision is refused with that same winner.
    const late = apiFor(stack).client.decide(
      await signDecisionToken(decisionSecret, {
        taskId: task.taskId,
        decision: "approve",
        reviewer: { id: "late", name: "Late" },
        issuer: "console",
      }),
    );
    await expect(late).rejects.toMatchObject({ status: 409, body: { error: { code: "already_decided", details: { decision: winner } } } });
  });
});

describe("Reject", () => {
  it("asks for a reason, refuses an empty or too long one in the dialog's answer, and records only the reason given", async () => {
    const task = await queuedTask(stack, "reject");
    const ts = nextTs();
    expect(await click(app, "greenlight_reject", task.taskId, ADA, ts)).toMatchObject({ status: 200, body: "" });
    const opened = await callFor(slack, "views.open", (call) => JSON.stringify(call.body.view).includes(ts), "for the reject dialog");
    expect(opened.body.trigger_id).toBe("1111.2222.abcdef");
    expect(opened.body.view).toMatchObject({
      type: "modal",
      callback_id: "greenlight_reject_reason",
      private_metadata: JSON.stringify({ taskId: task.taskId, channel: CHANNEL, messageTs: ts }),
      submit: { type: "plain_text", text: "Reject" },
      blocks: [
        expect.anything(),
        { type: "input", block_id: "reason", element: { type: "plain_text_input", action_id: "reason", max_length: 500 } },
      ],
    });
    const submit = (reason: string) =>
      post(
        app,
        signedInteraction(SIGNING_SECRET, viewSubmissionPayload({ user: ADA, view: opened.body.view as Record<string, unknown>, reason })),
      );

    expect(await submit("   ")).toMatchObject({
      status: 200,
      body: JSON.stringify({ response_action: "errors", errors: { reason: "Please give a reason." } }),
    });
    expect(await submit("x".repeat(501))).toMatchObject({
      status: 200,
      body: JSON.stringify({ response_action: "errors", errors: { reason: "At most 500 characters, please (this has 501)." } }),
    });

    const reason = "Shows a <licence plate> & a face";
    expect(await submit(reason)).toMatchObject({ status: 200, body: "" });
    const decided = await taskWhen(stack, task.taskId, (t) => t.status === "rejected");
    // The first decision wins, so had a refused reason been sent, it would be the one recorded.
    expect(decided.decision).toEqual({ decision: "reject", reviewer: ADA, reason, decidedAt: expect.any(String), via: "slack-app" });
    const update = await updateOf(slack, ts);
    // The reason as Ada typed it: shown literally, with nothing escaped.
    expect(update.body.blocks).toEqual([decisionOutcome({ ...decided.decision!, reason: "Shows a <licence plate> & a face" })]);
  });
});

describe("the App Home tab", () => {
  it("publishes the queue depth and the oldest pending tasks when an approver opens it, and again on Refresh", async () => {
    await queuedTask(stack, "home");
    await waitFor(
      "the Home tab to show the queue as Greenlight lists it",
      async () => {
        const before = await pendingIds(stack);
        const published = slack.callsTo("views.publish").length;
        const answer = await post(app, signedEvent(SIGNING_SECRET, eventCallback(appHomeOpenedEvent(ADA.id))));
        expect(answer).toMatchObject({ status: 200, body: "" });
        const call = await waitFor("views.publish", () => slack.callsTo("views.publish")[published], { timeoutMs: 10_000, intervalMs: 50 });
        const after = await pendingIds(stack);
        // Decisions from earlier tests may still be leaving the queue; compare only when it held still.
        if (before.join() !== after.join()) return undefined;
        expect(call.body.user_id).toBe(ADA.id);
        const view = call.body.view as { type: string; blocks: Array<{ block_id?: string; text?: { text: string } }> };
        expect(view.type).toBe("home");
        expect(view.blocks[1]).toEqual({
          type: "section",
          block_id: "greenlight_queue_depth",
          text: { type: "mrkdwn", text: `*${after.length}* ${after.length === 1 ? "image waits" : "images wait"} for review.` },
        });
        const oldest = view.blocks.filter((block) => block.block_id?.startsWith("greenlight_oldest_")).map((block) => block.block_id);
        expect(oldest).toEqual(after.slice(0, 5).map((id) => `greenlight_oldest_${id}`));
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    // The Refresh button on the Home tab publishes it again.
    const published = slack.callsTo("views.publish").length;
    expect(await post(app, signedInteraction(SIGNING_SECRET, homeRefreshPayload(GRACE)))).toMatchObject({ status: 200, body: "" });
    const again = await waitFor("views.publish after Refresh", () => slack.callsTo("views.publish")[published], {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(again.body).toMatchObject({ user_id: GRACE.id, view: { type: "home" } });
  });
});

describe("poster mode", () => {
  let posterSlack: SlackStub;
  let poster: SlackAppProcess;
  let tasks: Task[];

  const postsOf = (taskId: string) =>
    posterSlack.callsTo("chat.postMessage").filter((call) => JSON.stringify(call.body.blocks ?? []).includes(`Task \`${taskId}\``));

  const posterEnv = () =>
    appEnv(stack, posterSlack, {
      POST_REVIEWS: "true",
      SLACK_CHANNEL: "#greenlight-reviews",
      POLL_INTERVAL_SECONDS: "1",
      SLACK_APPROVER_IDS: ADA.id,
    });

  beforeAll(async () => {
    // The fourth task's metadata is hostile: {"test": HOSTILE}.
    tasks = await Promise.all(["poster-1", "poster-2", "poster-3", HOSTILE].map((name) => queuedTask(stack, name)));
    posterSlack = await newStub();
    poster = await startSlackApp(posterEnv());
    await waitFor(
      "a message per task",
      () => (tasks.every((task) => postsOf(task.taskId).length > 0) ? true : undefined),
      { timeoutMs: 20_000 },
      () => tail(poster.output),
    );
  });

  it("posts each pending task once, with its image, facts and buttons, and confirms each announcement", async () => {
    const posted = posterSlack
      .callsTo("chat.postMessage")
      .map((call) => JSON.stringify(call.body.blocks).match(/Task `(tsk_[0-9a-f]{32})`/)?.[1]);
    expect(new Set(posted).size).toBe(posted.length);
    for (const task of tasks) {
      const [message, ...again] = postsOf(task.taskId);
      expect(again).toEqual([]);
      expect(message!.token).toBe(BOT_TOKEN);
      expect(message!.body).toMatchObject({ channel: "#greenlight-reviews", text: `Image to review from ${client.id} (${task.taskId})` });
      const blocks = message!.body.blocks as Array<Record<string, any>>;
      expect(blocks.find((block) => block.type === "image")?.image_url).toMatch(
        new RegExp(`^${stack.baseUrl}/v1/images/${task.taskId}\\?expires=\\d+&sig=`),
      );
      expect(blocks.find((block) => block.type === "actions")).toEqual({
        type: "actions",
        block_id: "greenlight_decision",
        elements: [
          {
            type: "button",
            action_id: "greenlight_approve",
            style: "primary",
            value: task.taskId,
            text: { type: "plain_text", text: "Approve" },
          },
          {
            type: "button",
            action_id: "greenlight_reject",
            style: "danger",
            value: task.taskId,
            text: { type: "plain_text", text: "Reject" },
          },
        ],
      });
      const text = JSON.stringify(blocks);
      for (const fact of [
        `*${client.id}*`,
        "48 × 32 px",
        "image/png",
        "png · landscape",
        "blue",
        `{\\"test\\":\\"${task.metadata.test}\\"}`,
      ])
        expect(text).toContain(fact);
    }
    // Greenlight holds each announcement, naming the message, so no claim hands the task out again.
    for (const task of tasks) {
      const answer = postsOf(task.taskId)[0]!.answer;
      await waitFor(`the announcement of ${task.taskId}`, async () => (await reviewOf(stack, task.taskId)).announcement ?? undefined, {
        timeoutMs: 10_000,
        intervalMs: 50,
      }).then((announcement) => expect(announcement).toEqual({ channel: answer.channel, messageTs: answer.ts }));
    }
    const { data: claimed } = await apiFor(stack).reviewer.api.POST("/v1/reviews/claim", { body: { limit: 100 } });
    for (const task of tasks) expect(claimed?.items.map((item) => item.taskId)).not.toContain(task.taskId);
  });

  it("posts hostile client metadata verbatim in a rich text code block, and never in mrkdwn", async () => {
    const task = tasks[3]!;
    const blocks = postsOf(task.taskId)[0]!.body.blocks as Array<Record<string, unknown>>;
    expect(blocks.find((block) => block.block_id === "greenlight_metadata")).toEqual({
      type: "rich_text",
      block_id: "greenlight_metadata",
      elements: [
        { type: "rich_text_section", elements: [{ type: "text", text: "Metadata", style: { bold: true } }] },
        { type: "rich_text_preformatted", elements: [{ type: "text", text: JSON.stringify({ test: HOSTILE }) }] },
      ],
    });
    const mrkdwn = JSON.stringify(blocks.filter((block) => block.block_id !== "greenlight_metadata"));
    for (const fragment of ["```", "<!channel>", "<https://evil.example|click>", "*bold*", "@here"]) expect(mrkdwn).not.toContain(fragment);
  });

  it("closes its message, buttons gone, naming who decided outside the app, which way, when and why", async () => {
    const task = tasks[0]!;
    const decided = await apiFor(stack).client.decide(
      await signDecisionToken(decisionSecret, {
        taskId: task.taskId,
        decision: "reject",
        reviewer: { id: "console-olive", name: "Olive" },
        reason: "a duplicate <of order 41>",
        issuer: "console",
      }),
    );
    const winner = DecisionResultSchema.parse(decided).decision;
    expect(winner).toMatchObject({ decision: "reject", reviewer: { name: "Olive" }, via: "console" });
    const message = postsOf(task.taskId)[0]!;
    const update = await updateOf(posterSlack, String(message.answer.ts));
    expect(update.body.text).toBe(`Rejected by Olive: ${task.taskId}`);
    expect(update.body.blocks).toEqual([
      ...(message.body.blocks as Array<Record<string, unknown>>).filter((block) => block.type !== "actions"),
      // Olive decided in the console, so her id is not a Slack user id and there is no mention; her reason is shown as written.
      decisionOutcome({ ...winner, reason: "a duplicate <of order 41>" }),
    ]);
    // The second task is still open, so its message still has its buttons.
    expect(posterSlack.callsTo("chat.update").filter((call) => call.body.ts === String(postsOf(tasks[1]!.taskId)[0]!.answer.ts))).toEqual(
      [],
    );
  });

  it("closes its own message too when the task is decided from another copy of it (an n8n message, say)", async () => {
    const task = tasks[2]!;
    const own = postsOf(task.taskId)[0]!;
    const copyTs = nextTs();
    expect(await click(poster, "greenlight_approve", task.taskId, ADA, copyTs)).toMatchObject({ status: 200, body: "" });
    const [copy, ownUpdate] = await Promise.all([updateOf(posterSlack, copyTs), updateOf(posterSlack, String(own.answer.ts))]);
    const decided = (await taskAt(stack, task.taskId)).decision!;
    const outcome = decisionOutcome(decided);
    expect(copy.body.blocks).toEqual([outcome]);
    expect(ownUpdate.body.blocks).toEqual([
      ...(own.body.blocks as Array<Record<string, unknown>>).filter((block) => block.type !== "actions"),
      outcome,
    ]);
  });
  it("replies in each message's thread with its reminder and escalates once each, also after a restart of the app", async () => {
    // Seconds, so the test waits briefly; the reminder comes due after the poster (every second) has posted the message.
    const [toGroup, toChannel] = await Promise.all([
      queuedTask(stack, "stages-group", { remindAfter: ["4 seconds"], escalateAfter: "6 seconds", escalateTo: "S0LEADS" }),
      queuedTask(stack, "stages-channel", { escalateAfter: "6 seconds", escalateTo: "#leads" }),
    ]);
    const messageTs = (task: Task) => String(postsOf(task.taskId)[0]?.answer.ts);
    // Reminders and escalations are plain text; review messages have blocks.
    const stagePosts = () =>
      posterSlack
        .callsTo("chat.postMessage")
        .filter((call) => call.body.blocks === undefined)
        .map((call) => call.body);
    const delivered = async (tasks: Task[], count: number) => {
      const reviews = await Promise.all(tasks.map((task) => reviewOf(stack, task.taskId)));
      return reviews.flatMap((review) => review.stages).filter((stage) => stage.confirmedAt !== null).length === count ? true : undefined;
    };
    await waitFor(
      "the reminder and both escalations confirmed",
      () => delivered([toGroup, toChannel], 3),
      { timeoutMs: 30_000, intervalMs: 200 },
      () => tail(poster.output),
    );
    const quiet = { unfurl_links: "false", unfurl_media: "false" };
    const groupThread = { channel: "C0GREENLIGHT", thread_ts: messageTs(toGroup) };
    const expected = [
      {
        ...groupThread,
        reply_broadcast: "false",
        text: `:alarm_clock: Reminder 1: task ${toGroup.taskId} is still waiting for review.`,
        ...quiet,
      },
      {
        ...groupThread,
        reply_broadcast: "true",
        text: `:rotating_light: Escalated to <!subteam^S0LEADS>: task ${toGroup.taskId} is still waiting for review.`,
        ...quiet,
      },
      {
        channel: "#leads",
        text: `:rotating_light: Escalated: task ${toChannel.taskId} is still waiting for review. <https://greenlight-test.slack.com/archives/C0GREENLIGHT/p${messageTs(toChannel).replace(".", "")}|Open the review message>`,
        ...quiet,
      },
    ];
    // The two tasks' stages come due at the same moments, so they may be delivered in either order.
    expect(stagePosts()).toEqual(expect.arrayContaining(expected));
    expect(stagePosts()).toHaveLength(3);

    // A restarted app remembers nothing, and Greenlight hands out nothing confirmed: by the time the new app has
    // delivered a new task's reminder, it has asked for due stages round after round and posted no earlier one again.
    const before = stagePosts();
    await poster.stop();
    poster = await startSlackApp(posterEnv());
    const later = await queuedTask(stack, "stages-after-restart", { remindAfter: ["3 seconds"] });
    await waitFor(
      "the restarted app's reminder confirmed",
      () => delivered([later], 1),
      { timeoutMs: 30_000, intervalMs: 200 },
      () => tail(poster.output),
    );
    expect(stagePosts()).toEqual([
      ...before,
      {
        channel: "C0GREENLIGHT",
        thread_ts: messageTs(later),
        reply_broadcast: "false",
        text: `:alarm_clock: Reminder 1: task ${later.taskId} is still waiting for review.`,
        ...quiet,
      },
    ]);
  });
});

describe("Socket Mode", () => {
  it("takes the same click over Slack's WebSocket when SLACK_APP_TOKEN is set, with no signing secret and no open port", async () => {
    const appToken = "xapp-1-greenlight-test";
    const socketSlack = await newStub();
    const socket = await startSocketModeStub({ appToken, webApi: socketSlack });
    let socketApp: SlackAppProcess | undefined;
    try {
      const { SLACK_SIGNING_SECRET: _, ...env } = appEnv(stack, socketSlack, { SLACK_APP_TOKEN: appToken });
      let task: Task;
      [socketApp, task] = await Promise.all([startSlackApp({ ...env, SLACK_API_URL: socket.url }), queuedTask(stack, "socket-mode")]);
      expect(socketApp.url).toBe("");
      expect(socket.connections()).toBe(1);

      const ts = nextTs();
      const payload = blockActionsPayload({
        actionId: "greenlight_approve",
        taskId: task.taskId,
        user: ADA,
        channel: CHANNEL,
        messageTs: ts,
      });
      socket.send({ envelope_id: "env-approve-1", type: "interactive", accepts_response_payload: false, payload });

      const ack = await waitFor(
        "the envelope's acknowledgement",
        () => socket.received.find((message) => message.envelope_id === "env-approve-1"),
        { timeoutMs: 3000, intervalMs: 20 },
      );
      expect(ack).toEqual({ envelope_id: "env-approve-1", payload: {} });
      const decided = await taskWhen(stack, task.taskId);
      expect(decided.decision).toMatchObject({ decision: "approve", reviewer: ADA, via: "slack-app" });
      expect((await updateOf(socketSlack, ts)).body.text).toBe(`Approved by ada: ${task.taskId}`);
    } finally {
      await socketApp?.stop();
      await socket.close();
    }
  });
});
