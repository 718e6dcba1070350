// The Slack app as `npm run slack-app` runs it (real Bolt, real HTTP receiver), driven by Slack-signed requests,
// against a local Slack Web API stub and the real local Greenlight stack.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";
import { devClient, setting } from "../../scripts/lib/dev-vars.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { type GreenlightClient, greenlightClient, pollTask, type Task } from "../../scripts/lib/greenlight-client.ts";
import { solidPng } from "../../scripts/lib/png.ts";
import { waitFor } from "../../scripts/lib/wait.ts";
import { type Stack, startStack, stopAllStacks, tail } from "../../scripts/lib/stack.ts";
import { type SlackCall, type SlackStub, startSlackStub } from "../support/slack-stub.ts";
import { blockActionsPayload, signedInteraction, slackSignature } from "../support/slack-requests.ts";
import { type SlackAppProcess, startSlackApp, stopAllSlackApps } from "./slack-app-process.ts";
import { eventCallback, signedEvent, viewSubmissionPayload } from "./slack-payloads.ts";
import { startSocketModeStub } from "./socket-mode-stub.ts";

const SIGNING_SECRET = "greenlight-test-signing-secret";
const BOT_TOKEN = "xoxb-greenlight-test";
const CHANNEL = "C0GREENLIGHT";
const ADA = { id: "U0APPROVER", name: "ada" };
const GRACE = { id: "U0SECOND", name: "grace" };
const MALLORY = { id: "U0STRANGER", name: "mallory" };
const NOT_ALLOWED =
  "You are not one of this app's approvers (SLACK_APPROVER_IDS), so nothing was sent to Greenlight. Ask whoever runs the Greenlight Slack app to add you.";
const SHORT_REVIEW_SECONDS = 10;
// What a client or reviewer could write to make Slack ping, link or format.
const HOSTILE = "``` <!channel> <https://evil.example|click> *bold* @here";

const client = devClient(setting("CLIENT_KEYS"));
const reviewerToken = setting("REVIEWER_TOKEN");
const decisionSecret = setting("DECISION_SIGNING_SECRET");

const stateDirs: string[] = [];
const stubs: SlackStub[] = [];
let stack: Stack;
let shortStack: Stack;
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
const apiFor = (target: Stack): GreenlightClient => greenlightClient(target.baseUrl, { clientKey: client.key, reviewerToken });

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
  let cursor: string | null = null;
  do {
    const response = await fetch(`${target.baseUrl}/v1/reviews?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
      headers: { authorization: `Bearer ${reviewerToken}` },
    });
    const page = (await response.json()) as { items: { taskId: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((item) => item.taskId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** A new task, once the workflow has pre-screened it and reviewers can list it. */
async function queuedTask(target: Stack, name: string): Promise<Task> {
  const created = await apiFor(target).upload(solidPng(48, 32, [40, 90, 200]), { metadata: { test: name } });
  expect(created.status, created.text).toBe(202);
  await waitFor(`${name} to be listed`, async () => ((await pendingIds(target)).includes(created.body.taskId) ? true : undefined), { timeoutMs: 20_000 });
  return created.body;
}

async function post(target: SlackAppProcess, signed: { body: string; headers: Record<string, string> }) {
  const started = performance.now();
  const response = await fetch(`${target.url}/slack/events`, { method: "POST", headers: signed.headers, body: signed.body });
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
}

const click = (target: SlackAppProcess, actionId: "greenlight_approve" | "greenlight_reject", taskId: string, user: { id: string; name: string }, messageTs: string) =>
  post(target, signedInteraction(SIGNING_SECRET, blockActionsPayload({ actionId, taskId, user, channel: CHANNEL, messageTs })));

/** A click on the Home tab's Refresh button, as Slack sends it. */
const homeRefresh = (user: Reviewer) => ({
  type: "block_actions",
  user: { id: user.id, username: user.name, name: user.name, team_id: "T0GREEN" },
  api_app_id: "A0GREENLIGHT",
  token: "legacy-verification-token",
  container: { type: "view", view_id: "V0HOME" },
  trigger_id: "5555.6666.abcdef",
  team: { id: "T0GREEN", domain: "greenlight-test" },
  view: { id: "V0HOME", type: "home", blocks: [], private_metadata: "", callback_id: "", state: { values: {} }, hash: "1.2", app_id: "A0GREENLIGHT", bot_id: "B0BOT" },
  actions: [{ action_id: "greenlight_home_refresh", block_id: "refresh", type: "button", action_ts: `${Date.now() / 1000}`, text: { type: "plain_text", text: "Refresh" } }],
});

const callFor = (stub: SlackStub, method: string, match: (call: SlackCall) => boolean, what: string) =>
  waitFor(`${method} ${what}`, () => stub.callsTo(method).find(match), { timeoutMs: 20_000, intervalMs: 50 }, () => `calls so far: ${stub.calls.map((call) => call.method).join(", ")}\n${tail(app.output)}`);

const updateOf = (stub: SlackStub, ts: string) => callFor(stub, "chat.update", (call) => call.body.ts === ts, `for message ${ts}`);

const datePieces = (iso: string) => {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return { seconds, fallback: `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC` };
};
const slackDate = (iso: string) => {
  const { seconds, fallback } = datePieces(iso);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${fallback}>`;
};

type Reviewer = { id: string; name: string };
const bold = (text: string) => ({ type: "text", text, style: { bold: true } });
const plain = (text: string) => ({ type: "text", text });
/** The reviewer's name exactly as given, bold, with a mention when the id is a Slack user id. */
const named = (reviewer: Reviewer) => (/^U/.test(reviewer.id) ? [bold(reviewer.name), plain(" ("), { type: "user", user_id: reviewer.id }, plain(")")] : [bold(reviewer.name)]);
/** The outcome block for a decision: who, which way, when, and the reason quoted as it was written. */
const decisionOutcome = (decision: { decision: "approve" | "reject"; reviewer: Reviewer; decidedAt: string; reason: string | null }) => {
  const { seconds, fallback } = datePieces(decision.decidedAt);
  const [icon, verb] = decision.decision === "approve" ? ["white_check_mark", "Approved"] : ["x", "Rejected"];
  const line = [{ type: "emoji", name: icon }, plain(" "), bold(verb), plain(" by "), ...named(decision.reviewer), plain(" on "), { type: "date", timestamp: seconds, format: "{date_short_pretty} at {time}", fallback }];
  const reason = decision.reason ? [{ type: "rich_text_quote", elements: [plain(decision.reason)] }] : [];
  return { type: "rich_text", block_id: "greenlight_outcome", elements: [{ type: "rich_text_section", elements: line }, ...reason] };
};
/** The note under a conflict: who tried which choice too late. */
const lateNote = (reviewer: Reviewer, choice: "approve" | "reject") => ({
  type: "rich_text",
  block_id: "greenlight_outcome_note",
  elements: [{ type: "rich_text_section", elements: [...named(reviewer), plain(` chose to ${choice} after this decision; only the first decision counts, so that was not recorded.`)] }],
});

/** Nothing reached Greenlight: still pending, and no decision, after the app had time to act. */
async function expectUndecided(target: Stack, taskId: string) {
  const task = await apiFor(target).getTask(taskId);
  expect(task.body).toMatchObject({ status: "pending", decision: null });
}

beforeAll(async () => {
  slack = await newStub();
  // A short claim lease shows that announced tasks are never handed out again; a short review shows expiry.
  [stack, shortStack] = await Promise.all([
    startStack(freshStateDir(), { CLAIM_LEASE: "2 seconds" }),
    startStack(freshStateDir(), { REVIEW_TIMEOUT: `${SHORT_REVIEW_SECONDS} seconds` }),
  ]);
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
    const payload = blockActionsPayload({ actionId: "greenlight_approve", taskId: task.taskId, user: ADA, channel: CHANNEL, messageTs: ts });
    const now = Math.floor(Date.now() / 1000);

    const wrongSecret = await post(app, signedInteraction("not-the-signing-secret", payload));
    const tampered = signedInteraction(SIGNING_SECRET, payload);
    const tamperedAnswer = await post(app, { ...tampered, body: tampered.body.replace(ADA.id, MALLORY.id) });
    const stale = await post(app, signedInteraction(SIGNING_SECRET, payload, String(now - 6 * 60)));
    const ahead = await post(app, signedInteraction(SIGNING_SECRET, payload, String(now + 6 * 60)));
    for (const answer of [wrongSecret, tamperedAnswer, stale, ahead]) expect(answer).toMatchObject({ status: 401, body: "" });

    await sleep(1500);
    await expectUndecided(stack, task.taskId);
    expect(slack.calls.filter((call) => JSON.stringify(call.body).includes(task.taskId) || call.body.ts === ts)).toEqual([]);
  });

  it("answers 400 to a correctly signed payload that is not JSON", async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = "payload=%7Bnot-json";
    const answer = await post(app, {
      body,
      headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": timestamp, "x-slack-signature": slackSignature(SIGNING_SECRET, timestamp, body) },
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

    const decided = await pollTask(apiFor(stack), task.taskId, (t) => t.decision !== null, { timeoutMs: 20_000 });
    expect(decided.status === "approved" || decided.status === "completed").toBe(true);
    expect(decided.decision).toEqual({ decision: "approve", reviewer: ADA, reason: null, decidedAt: expect.any(String), via: "slack-app" });

    const update = await updateOf(slack, ts);
    expect(update.token).toBe(BOT_TOKEN);
    expect(update.body).toMatchObject({ channel: CHANNEL, ts, text: `Approved by ada: ${task.taskId}`, blocks: [decisionOutcome(decided.decision!)] });
    expect(slack.callsTo("chat.postEphemeral").filter((call) => call.body.user === ADA.id && JSON.stringify(call.body).includes(task.taskId))).toEqual([]);
  });

  it("records one decision when two reviewers decide at once, and both messages name the winner", async () => {
    const task = await queuedTask(stack, "race");
    const [adaTs, graceTs] = [nextTs(), nextTs()];
    // Grace opens the reject dialog on her copy of the message first, then both submit at the same moment.
    expect(await click(app, "greenlight_reject", task.taskId, GRACE, graceTs)).toMatchObject({ status: 200, body: "" });
    const opened = await callFor(slack, "views.open", (call) => JSON.stringify(call.body.view).includes(graceTs), "for Grace's dialog");
    const submission = signedInteraction(SIGNING_SECRET, viewSubmissionPayload({ user: GRACE, view: opened.body.view as Record<string, unknown>, reason: "Not ours" }));
    const approval = signedInteraction(SIGNING_SECRET, blockActionsPayload({ actionId: "greenlight_approve", taskId: task.taskId, user: ADA, channel: CHANNEL, messageTs: adaTs }));
    const answers = await Promise.all([post(app, approval), post(app, submission)]);
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: "" });

    const decided = await pollTask(apiFor(stack), task.taskId, (t) => t.decision !== null, { timeoutMs: 20_000 });
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
    const late = await apiFor(stack).decide(await signDecisionToken(decisionSecret, { taskId: task.taskId, decision: "approve", reviewer: { id: "late", name: "Late" }, issuer: "console" }));
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: "already_decided", details: { decision: winner } } });
  });

  it("shows the real winner on a message clicked after the task was decided elsewhere", async () => {
    const task = await queuedTask(stack, "decided-elsewhere");
    const olive = { id: "console-olive", name: "Olive" };
    const first = await apiFor(stack).decide(await signDecisionToken(decisionSecret, { taskId: task.taskId, decision: "reject", reviewer: olive, reason: "blurry", issuer: "console" }));
    expect(first.status, first.text).toBe(200);

    const ts = nextTs();
    expect(await click(app, "greenlight_approve", task.taskId, ADA, ts)).toMatchObject({ status: 200, body: "" });
    const update = await updateOf(slack, ts);
    expect(update.body.text).toBe(`Rejected by Olive: ${task.taskId}`);
    expect(update.body.blocks).toEqual([decisionOutcome((first.body as Task).decision!), lateNote(ADA, "approve")]);
    expect((await apiFor(stack).getTask(task.taskId)).body.decision).toMatchObject({ reviewer: olive, via: "console" });
  });

  it("names a hostile winner and quotes their reason literally, and its notification text pings and links nothing", async () => {
    const task = await queuedTask(stack, "hostile-winner");
    const hostile = { id: "console-mallory", name: HOSTILE };
    const reason = "*bold* <!here> <@U0APPROVER> <https://evil.example|click>\n```";
    const first = await apiFor(stack).decide(await signDecisionToken(decisionSecret, { taskId: task.taskId, decision: "reject", reviewer: hostile, reason, issuer: "console" }));
    expect(first.status, first.text).toBe(200);

    const ts = nextTs();
    expect(await click(app, "greenlight_approve", task.taskId, ADA, ts)).toMatchObject({ status: 200, body: "" });
    const update = await updateOf(slack, ts);
    expect(update.body.text).toBe(`Rejected by \`\`\` &lt;!channel&gt; &lt;https://evil.example|click&gt; *bold* @here: ${task.taskId}`);
    expect(update.body.blocks).toEqual([decisionOutcome({ decision: "reject", reviewer: hostile, decidedAt: (first.body as Task).decision!.decidedAt, reason }), lateNote(ADA, "approve")]);
  });
});

describe("button values", () => {
  it("sends nothing for a button whose value is not a Greenlight task id, and says why", async () => {
    const ts = nextTs();
    const payload = blockActionsPayload({ actionId: "greenlight_approve", taskId: "tsk_../../v1/tasks", user: ADA, channel: CHANNEL, messageTs: ts });
    expect(await post(app, signedInteraction(SIGNING_SECRET, payload))).toMatchObject({ status: 200, body: "" });
    const told = await callFor(slack, "chat.postEphemeral", (call) => call.body.user === ADA.id && String(call.body.text).startsWith("This button does not carry"), "about the bad value");
    expect(told.body).toMatchObject({ channel: CHANNEL, text: "This button does not carry a Greenlight task id, so nothing was sent." });
    expect(slack.callsTo("chat.update").filter((call) => call.body.ts === ts)).toEqual([]);
  });
});

describe("Reject", () => {
  it("asks for a reason, refuses an empty or too long one in the dialog, and records the reason given", async () => {
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
      blocks: [expect.anything(), { type: "input", block_id: "reason", element: { type: "plain_text_input", action_id: "reason", max_length: 500 } }],
    });
    const submit = (reason: string) => post(app, signedInteraction(SIGNING_SECRET, viewSubmissionPayload({ user: ADA, view: opened.body.view as Record<string, unknown>, reason })));

    expect(await submit("   ")).toMatchObject({ status: 200, body: JSON.stringify({ response_action: "errors", errors: { reason: "Please give a reason." } }) });
    expect(await submit("x".repeat(501))).toMatchObject({
      status: 200,
      body: JSON.stringify({ response_action: "errors", errors: { reason: "At most 500 characters, please (this has 501)." } }),
    });
    await sleep(500);
    await expectUndecided(stack, task.taskId);

    const reason = "Shows a <licence plate> & a face";
    expect(await submit(reason)).toMatchObject({ status: 200, body: "" });
    const decided = await pollTask(apiFor(stack), task.taskId, (t) => t.status === "rejected", { timeoutMs: 20_000 });
    expect(decided.decision).toEqual({ decision: "reject", reviewer: ADA, reason, decidedAt: expect.any(String), via: "slack-app" });
    const update = await updateOf(slack, ts);
    // The reason as Ada typed it: shown literally, with nothing escaped.
    expect(update.body.blocks).toEqual([decisionOutcome({ ...decided.decision!, reason: "Shows a <licence plate> & a face" })]);
  });
});

describe("who may decide", () => {
  it("tells a reviewer who is not an approver so, privately, and sends nothing to Greenlight", async () => {
    const task = await queuedTask(stack, "stranger");
    const ts = nextTs();
    expect(await click(app, "greenlight_approve", task.taskId, MALLORY, ts)).toMatchObject({ status: 200, body: "" });
    expect(await click(app, "greenlight_reject", task.taskId, MALLORY, ts)).toMatchObject({ status: 200, body: "" });

    const told = await waitFor(
      "two ephemeral messages to Mallory",
      () => {
        const calls = slack.callsTo("chat.postEphemeral").filter((call) => call.body.user === MALLORY.id);
        return calls.length >= 2 ? calls : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    for (const call of told) expect(call.body).toMatchObject({ channel: CHANNEL, user: MALLORY.id, text: NOT_ALLOWED });
    await sleep(1000);
    await expectUndecided(stack, task.taskId);
    expect(slack.callsTo("chat.update").filter((call) => call.body.ts === ts)).toEqual([]);
    expect(slack.callsTo("views.open").filter((call) => JSON.stringify(call.body).includes(task.taskId))).toEqual([]);
  });
});

describe("when Greenlight does not take the decision", () => {
  it("keeps the buttons and tells the reviewer, for a refused token (401) and for no answer at all", async () => {
    const task = await queuedTask(stack, "faults");
    const closedPort = await freePort();
    const [wrongSecret, unreachable] = await Promise.all([
      startSlackApp(appEnv(stack, slack, { DECISION_SIGNING_SECRET: "a-different-secret-0123456789abcdef" })),
      startSlackApp(appEnv(stack, slack, { GREENLIGHT_URL: `http://127.0.0.1:${closedPort}` })),
    ]);
    try {
      for (const [target, expected] of [
        [wrongSecret, /^Greenlight refused this decision \(401 invalid_token: .+\), so nothing was recorded and the buttons stay\. The Slack app's DECISION_SIGNING_SECRET probably differs/],
        [unreachable, new RegExp(`^Greenlight did not take this decision \\(no answer from Greenlight at http://127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\)\\), so nothing was recorded and the buttons stay\\.`)],
      ] as const) {
        const ts = nextTs();
        expect(await click(target, "greenlight_approve", task.taskId, ADA, ts)).toMatchObject({ status: 200, body: "" });
        const told = await callFor(slack, "chat.postEphemeral", (call) => call.body.user === ADA.id && expected.test(String(call.body.text)), `telling Ada ${expected}`);
        expect(told.body).toMatchObject({ channel: CHANNEL, user: ADA.id });
        expect(slack.callsTo("chat.update").filter((call) => call.body.ts === ts)).toEqual([]);
      }
      await expectUndecided(stack, task.taskId);
    } finally {
      await Promise.all([wrongSecret.stop(), unreachable.stop()]);
    }
  });
});

describe("the App Home tab", () => {
  it("publishes the queue depth and the oldest pending tasks when a user opens it", async () => {
    await queuedTask(stack, "home");
    await waitFor(
      "the Home tab to show the queue as Greenlight lists it",
      async () => {
        const before = await pendingIds(stack);
        const published = slack.callsTo("views.publish").length;
        const answer = await post(app, signedEvent(SIGNING_SECRET, eventCallback({ type: "app_home_opened", user: ADA.id, channel: "D0HOME", tab: "home", event_ts: `${Date.now() / 1000}` })));
        expect(answer).toMatchObject({ status: 200, body: "" });
        const call = await waitFor("views.publish", () => slack.callsTo("views.publish")[published], { timeoutMs: 10_000, intervalMs: 50 });
        const after = await pendingIds(stack);
        // Decisions from earlier tests may still be leaving the queue; compare only when it held still.
        if (before.join() !== after.join()) return undefined;
        expect(call.body.user_id).toBe(ADA.id);
        const view = call.body.view as { type: string; blocks: Array<{ block_id?: string; text?: { text: string } }> };
        expect(view.type).toBe("home");
        expect(view.blocks[1]).toEqual({ type: "section", block_id: "greenlight_queue_depth", text: { type: "mrkdwn", text: `*${after.length}* ${after.length === 1 ? "image waits" : "images wait"} for review.` } });
        const oldest = view.blocks.filter((block) => block.block_id?.startsWith("greenlight_oldest_")).map((block) => block.block_id);
        expect(oldest).toEqual(after.slice(0, 5).map((id) => `greenlight_oldest_${id}`));
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    // The Refresh button on the Home tab publishes it again.
    const published = slack.callsTo("views.publish").length;
    expect(await post(app, signedInteraction(SIGNING_SECRET, homeRefresh(GRACE)))).toMatchObject({ status: 200, body: "" });
    const again = await waitFor("views.publish after Refresh", () => slack.callsTo("views.publish")[published], { timeoutMs: 10_000, intervalMs: 50 });
    expect(again.body).toMatchObject({ user_id: GRACE.id, view: { type: "home" } });
  });

  it("publishes to someone who is not an approver only a note: no count, no task, no preview URL, on opening or on Refresh", async () => {
    const task = await queuedTask(stack, "home-stranger");
    const note = {
      type: "home",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Greenlight review queue" } },
        {
          type: "section",
          block_id: "greenlight_not_an_approver",
          text: {
            type: "plain_text",
            text: "The review queue is shown to approvers only, and you are not on this app's approver list (SLACK_APPROVER_IDS). Ask whoever runs the Greenlight Slack app if you should be.",
          },
        },
      ],
    };
    const opened = await post(app, signedEvent(SIGNING_SECRET, eventCallback({ type: "app_home_opened", user: MALLORY.id, channel: "D0HOME", tab: "home", event_ts: `${Date.now() / 1000}` })));
    expect(opened).toMatchObject({ status: 200, body: "" });
    const first = await callFor(slack, "views.publish", (call) => call.body.user_id === MALLORY.id, "for Mallory");
    const published = slack.callsTo("views.publish").length;
    expect(await post(app, signedInteraction(SIGNING_SECRET, homeRefresh(MALLORY)))).toMatchObject({ status: 200, body: "" });
    const refreshed = await waitFor("views.publish after Mallory's Refresh", () => slack.callsTo("views.publish").slice(published).find((call) => call.body.user_id === MALLORY.id), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    for (const call of [first, refreshed]) {
      expect(call.body.view).toEqual(note);
      const view = JSON.stringify(call.body.view);
      for (const leak of [task.taskId, "tsk_", "/v1/images/", stack.baseUrl, "greenlight_oldest_", "greenlight_queue_depth"]) expect(view).not.toContain(leak);
    }
  });
});

describe("poster mode", () => {
  let posterSlack: SlackStub;
  let poster: SlackAppProcess;
  let tasks: Task[];

  const postsOf = (taskId: string) => posterSlack.callsTo("chat.postMessage").filter((call) => JSON.stringify(call.body.blocks).includes(`Task \`${taskId}\``));

  beforeAll(async () => {
    tasks = [];
    // The fifth task's metadata is hostile: {"test": HOSTILE}.
    for (const name of ["poster-1", "poster-2", "poster-3", "poster-4", HOSTILE]) tasks.push(await queuedTask(stack, name));
    posterSlack = await newStub();
    poster = await startSlackApp(appEnv(stack, posterSlack, { POST_REVIEWS: "true", SLACK_CHANNEL: "#greenlight-reviews", POLL_INTERVAL_SECONDS: "1", SLACK_APPROVER_IDS: ADA.id }));
    await waitFor("a message per task", () => (tasks.every((task) => postsOf(task.taskId).length > 0) ? true : undefined), { timeoutMs: 20_000 }, () => tail(poster.output));
  });

  it("posts each pending task once, with its image, facts and buttons, and confirms each announcement", async () => {
    // Twice the claim lease: an unconfirmed announcement would have let the claim hand the tasks out again.
    await sleep(4500);

    const posted = posterSlack.callsTo("chat.postMessage").map((call) => JSON.stringify(call.body.blocks).match(/Task `(tsk_[0-9a-f]{32})`/)?.[1]);
    expect(new Set(posted).size).toBe(posted.length);
    for (const task of tasks) {
      const [message, ...again] = postsOf(task.taskId);
      expect(again).toEqual([]);
      expect(message!.token).toBe(BOT_TOKEN);
      expect(message!.body).toMatchObject({ channel: "#greenlight-reviews", text: `Image to review from ${client.id} (${task.taskId})` });
      const blocks = message!.body.blocks as Array<Record<string, any>>;
      expect(blocks.find((block) => block.type === "image")?.image_url).toMatch(new RegExp(`^${stack.baseUrl}/v1/images/${task.taskId}\\?expires=\\d+&sig=`));
      expect(blocks.find((block) => block.type === "actions")).toEqual({
        type: "actions",
        block_id: "greenlight_decision",
        elements: [
          { type: "button", action_id: "greenlight_approve", style: "primary", value: task.taskId, text: { type: "plain_text", text: "Approve" } },
          { type: "button", action_id: "greenlight_reject", style: "danger", value: task.taskId, text: { type: "plain_text", text: "Reject" } },
        ],
      });
      const text = JSON.stringify(blocks);
      for (const fact of [`*${client.id}*`, "48 × 32 px", "image/png", "png · landscape", "blue", `{\\"test\\":\\"${task.metadata.test}\\"}`]) expect(text).toContain(fact);
    }
    const claimed = await apiFor(stack).claim(100);
    for (const task of tasks) expect(claimed.body.items.map((item) => item.taskId)).not.toContain(task.taskId);
  });

  it("posts hostile client metadata verbatim in a rich text code block, and never in mrkdwn", async () => {
    const task = tasks[4]!;
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

  it("keeps the image and facts on its own message when a reviewer approves there", async () => {
    const task = tasks[0]!;
    const message = postsOf(task.taskId)[0]!;
    const ts = String(message.answer.ts);
    expect(await click(poster, "greenlight_approve", task.taskId, ADA, ts)).toMatchObject({ status: 200, body: "" });
    const update = await updateOf(posterSlack, ts);
    const decided = (await apiFor(stack).getTask(task.taskId)).body;
    const posted = message.body.blocks as Array<Record<string, unknown>>;
    expect(update.body.blocks).toEqual([...posted.filter((block) => block.type !== "actions"), decisionOutcome(decided.decision!)]);
  });

  it("closes its message, buttons gone, naming who decided outside the app, which way, when and why", async () => {
    const task = tasks[1]!;
    const decided = await apiFor(stack).decide(
      await signDecisionToken(decisionSecret, { taskId: task.taskId, decision: "reject", reviewer: { id: "console-olive", name: "Olive" }, reason: "a duplicate <of order 41>", issuer: "console" }),
    );
    expect(decided.status, decided.text).toBe(200);
    const winner = (decided.body as Task).decision!;
    expect(winner).toMatchObject({ decision: "reject", reviewer: { name: "Olive" }, via: "console" });
    const message = postsOf(task.taskId)[0]!;
    const update = await updateOf(posterSlack, String(message.answer.ts));
    expect(update.body.text).toBe(`Rejected by Olive: ${task.taskId}`);
    expect(update.body.blocks).toEqual([
      ...(message.body.blocks as Array<Record<string, unknown>>).filter((block) => block.type !== "actions"),
      // Olive decided in the console, so her id is not a Slack user id and there is no mention; her reason is shown as written.
      decisionOutcome({ ...winner, reason: "a duplicate <of order 41>" }),
    ]);
    // The third task is still open, so its message still has its buttons.
    expect(posterSlack.callsTo("chat.update").filter((call) => call.body.ts === String(postsOf(tasks[2]!.taskId)[0]!.answer.ts))).toEqual([]);
  });

  it("closes its own message too when the task is decided from another copy of it (an n8n message, say)", async () => {
    const task = tasks[3]!;
    const own = postsOf(task.taskId)[0]!;
    const copyTs = nextTs();
    expect(await click(poster, "greenlight_approve", task.taskId, ADA, copyTs)).toMatchObject({ status: 200, body: "" });
    const [copy, ownUpdate] = await Promise.all([updateOf(posterSlack, copyTs), updateOf(posterSlack, String(own.answer.ts))]);
    const decided = (await apiFor(stack).getTask(task.taskId)).body.decision!;
    const outcome = decisionOutcome(decided);
    expect(copy.body.blocks).toEqual([outcome]);
    expect(ownUpdate.body.blocks).toEqual([...(own.body.blocks as Array<Record<string, unknown>>).filter((block) => block.type !== "actions"), outcome]);
  });
});

describe("expiry", () => {
  // One poster for the short-lived stack: two would split its queue between them.
  let expirySlack: SlackStub;
  let poster: SlackAppProcess;

  beforeAll(async () => {
    expirySlack = await newStub();
    poster = await startSlackApp(appEnv(shortStack, expirySlack, { POST_REVIEWS: "true", SLACK_CHANNEL: "#greenlight-reviews", POLL_INTERVAL_SECONDS: "1" }));
  });

  it("closes the app's message at the deadline, and a late click shows the review expired", async () => {
    const task = await queuedTask(shortStack, "expiry");
    const message = await callFor(expirySlack, "chat.postMessage", (call) => JSON.stringify(call.body.blocks).includes(task.taskId), "for the short-lived task");
    const ts = String(message.answer.ts);

    const update = await waitFor("the message to be closed", () => expirySlack.callsTo("chat.update").find((call) => call.body.ts === ts), {
      timeoutMs: SHORT_REVIEW_SECONDS * 1000 + 30_000,
      intervalMs: 100,
    });
    const closedAt = Date.now();
    expect(closedAt).toBeGreaterThanOrEqual(Date.parse(task.reviewDeadline));
    expect(closedAt - Date.parse(task.reviewDeadline)).toBeLessThan(1500);
    expect(update.body.text).toBe(`Expired: ${task.taskId}`);
    expect(update.body.blocks).toEqual([
      ...(message.body.blocks as Array<Record<string, unknown>>).filter((block) => block.type !== "actions"),
      {
        type: "section",
        block_id: "greenlight_outcome",
        text: { type: "mrkdwn", text: `:hourglass: *Expired*: no decision reached Greenlight before the review deadline (${slackDate(task.reviewDeadline)}).` },
      },
    ]);

    // A click on the same message (a Slack client that has not refreshed yet) learns the truth from Greenlight.
    expect(await click(poster, "greenlight_approve", task.taskId, ADA, ts)).toMatchObject({ status: 200, body: "" });
    const late = await waitFor("a second update", () => expirySlack.callsTo("chat.update").filter((call) => call.body.ts === ts)[1], { timeoutMs: 10_000, intervalMs: 50 });
    expect(late.body.text).toBe(`Expired: ${task.taskId}`);
    expect((late.body.blocks as unknown[]).at(-1)).toEqual({
      type: "section",
      block_id: "greenlight_outcome",
      text: { type: "mrkdwn", text: ":hourglass: *Expired*: no decision reached Greenlight before the review deadline." },
    });
    const final = await pollTask(apiFor(shortStack), task.taskId, (t) => t.status === "expired", { timeoutMs: 30_000 });
    expect(final.decision).toBeNull();
  });

  it("names the winner, not an expiry, when the task is decided outside the app just before its deadline", async () => {
    const task = await queuedTask(shortStack, "decided-at-the-deadline");
    const message = await callFor(expirySlack, "chat.postMessage", (call) => JSON.stringify(call.body.blocks).includes(task.taskId), "for the short-lived task");
    const ts = String(message.answer.ts);
    const deadline = Date.parse(task.reviewDeadline);
    const untilShortlyBefore = deadline - 1500 - Date.now();
    expect(untilShortlyBefore, "time left to decide before the deadline").toBeGreaterThan(0);
    await sleep(untilShortlyBefore);

    const decided = await apiFor(shortStack).decide(
      await signDecisionToken(decisionSecret, { taskId: task.taskId, decision: "approve", reviewer: { id: "console-olive", name: "Olive" }, issuer: "console" }),
    );
    expect(decided.status, decided.text).toBe(200);
    const winner = (decided.body as Task).decision!;
    const update = await waitFor("the message to be closed", () => expirySlack.callsTo("chat.update").find((call) => call.body.ts === ts), { timeoutMs: 20_000, intervalMs: 50 });
    expect(update.body.text).toBe(`Approved by Olive: ${task.taskId}`);
    expect(update.body.blocks).toEqual([
      ...(message.body.blocks as Array<Record<string, unknown>>).filter((block) => block.type !== "actions"),
      decisionOutcome(winner),
    ]);

    // The deadline passing afterwards changes nothing: the message is closed once, with the winner.
    await sleep(Math.max(0, deadline + 1500 - Date.now()));
    expect(expirySlack.callsTo("chat.update").filter((call) => call.body.ts === ts)).toHaveLength(1);
    expect((await apiFor(shortStack).getTask(task.taskId)).body).toMatchObject({ decision: { decision: "approve", reviewer: { name: "Olive" }, via: "console" } });
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
      socketApp = await startSlackApp({ ...env, SLACK_API_URL: socket.url });
      expect(socketApp.url).toBe("");
      expect(socket.connections()).toBe(1);

      const task = await queuedTask(stack, "socket-mode");
      const ts = nextTs();
      const payload = blockActionsPayload({ actionId: "greenlight_approve", taskId: task.taskId, user: ADA, channel: CHANNEL, messageTs: ts });
      socket.send({ envelope_id: "env-approve-1", type: "interactive", accepts_response_payload: false, payload });

      const ack = await waitFor("the envelope's acknowledgement", () => socket.received.find((message) => message.envelope_id === "env-approve-1"), { timeoutMs: 3000, intervalMs: 20 });
      expect(ack).toEqual({ envelope_id: "env-approve-1", payload: {} });
      const decided = await pollTask(apiFor(stack), task.taskId, (t) => t.decision !== null, { timeoutMs: 20_000 });
      expect(decided.decision).toMatchObject({ decision: "approve", reviewer: ADA, via: "slack-app" });
      expect((await updateOf(socketSlack, ts)).body.text).toBe(`Approved by ada: ${task.taskId}`);
    } finally {
      await socketApp?.stop();
      await socket.close();
    }
  });
});
