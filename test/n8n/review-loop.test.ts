// The review loop through a real n8n: the exported flows, imported by n8n's CLI, against the local Greenlight stack
// and a local Slack Web API stub.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "@greenlight/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { n8nCredentials } from "../../n8n-flows/test/credentials.ts";
import { devClient, ROOT, setting } from "../../scripts/lib/dev-vars.ts";
import { stackClients } from "../../scripts/lib/greenlight-client.ts";
import { solidPng } from "../../scripts/lib/png.ts";
import { waitFor } from "../../scripts/lib/wait.ts";
import { type Stack, startStack, stopAllStacks, tail } from "../../scripts/lib/stack.ts";
import { type SlackCall, type SlackStub, startSlackStub } from "../support/slack-stub.ts";
import { approvalsCount } from "../slack/expected-blocks.ts";
import { blockActionsPayload, signedInteraction } from "../support/slack-requests.ts";
import { createN8n, type N8n } from "./n8n.ts";

const SLACK_BOT_TOKEN = "xoxb-greenlight-test";
const SLACK_SIGNING_SECRET = "greenlight-test-signing-secret";
const APPROVER = { id: "U0APPROVER", name: "ada" };
const SECOND_APPROVER = { id: "U0SECOND", name: "grace" };
const STRANGER = { id: "U0STRANGER", name: "mallory" };
// Each flow gets a fixed id on import, so the CLI can execute and publish it.
const POLLER_ID = "GreenlightPoll01";
const DECISION_ID = "GreenlightSlack1";
const CLAIM_LEASE_SECONDS = 2;
// Reminders and escalations come due this soon after upload: seconds, so the test waits for them briefly.
const STAGES = { remindAfter: ["2 seconds"], escalateAfter: "3 seconds" };
// Client metadata made to ping, link or format; the second task carries it.
const HOSTILE = "``` <!channel> <https://evil.example|click> *bold* @here";

const client = devClient(setting("CLIENT_KEYS"));
const reviewerToken = setting("REVIEWER_TOKEN");

let stack: Stack;
let slack: SlackStub;
let n8n: N8n;
const stateDir = mkdtempSync(join(tmpdir(), "greenlight-n8n-stack-"));

/** A flow file as a team would import it, after editing its Config node to point at this test's services. */
function flowFor(file: string, id: string, config: Record<string, string>) {
  const flow = JSON.parse(readFileSync(join(ROOT, "n8n-flows", file), "utf8"));
  const node = flow.nodes.find((candidate: { name: string }) => candidate.name === "Config");
  for (const assignment of node.parameters.assignments.assignments) {
    if (assignment.name in config) assignment.value = config[assignment.name];
  }
  return { ...flow, id };
}

async function queuedTask(name: string, policy?: Record<string, unknown>): Promise<Task> {
  // The client package's upload takes no review policy, so this sends the same multipart form with a policy field.
  const form = new FormData();
  form.set("image", new Blob([solidPng(48, 32, [40, 90, 200]) as Uint8Array<ArrayBuffer>], { type: "image/png" }), "image.png");
  form.set("metadata", JSON.stringify({ test: name }));
  if (policy) form.set("policy", JSON.stringify(policy));
  const response = await fetch(`${stack.baseUrl}/v1/tasks`, {
    method: "POST",
    headers: { authorization: `Bearer ${client.key}` },
    body: form,
  });
  const task = (await response.json()) as Task;
  expect(response.status, JSON.stringify(task)).toBe(202);
  // The workflow pre-screens the image before reviewers can list it.
  await waitFor(
    `${name} to be listed`,
    async () => {
      const response = await fetch(`${stack.baseUrl}/v1/reviews?limit=100`, { headers: { authorization: `Bearer ${reviewerToken}` } });
      const { items } = (await response.json()) as { items: { taskId: string }[] };
      return items.some((item) => item.taskId === task.taskId) ? true : undefined;
    },
    { timeoutMs: 15_000 },
  );
  return task;
}

const click = (payload: unknown, secret = SLACK_SIGNING_SECRET, timestamp?: string) => {
  const { body, headers } = signedInteraction(secret, payload, timestamp);
  return fetch(`${n8n.baseUrl}/webhook/greenlight/slack-actions`, { method: "POST", headers, body });
};

/** One run of the poller, as its Manual Trigger "Run now" would start it. */
async function runPoller(): Promise<void> {
  const run = await n8n.cli(["execute", `--id=${POLLER_ID}`]);
  expect(run.code, `${run.output}\n${tail(n8n.output)}`).toBe(0);
}

const reviewStatus = async (taskId: string) => {
  const api = stackClients(stack.baseUrl, { clientKey: client.key, reviewerToken });
  const { data, response } = await api.reviewer.api.GET("/v1/reviews/{id}", { params: { path: { id: taskId } } });
  if (!data) throw new Error(`GET /v1/reviews/${taskId} answered ${response.status}`);
  return data;
};

const messageFor = (taskId: string) => {
  const post = slack.callsTo("chat.postMessage").find((call) => JSON.stringify(call.body.blocks ?? []).includes(taskId));
  if (!post) throw new Error(`no Slack message was posted for ${taskId}`);
  return post;
};

beforeAll(async () => {
  slack = await startSlackStub({ token: SLACK_BOT_TOKEN });
  [stack, n8n] = await Promise.all([startStack(stateDir, { CLAIM_LEASE: `${CLAIM_LEASE_SECONDS} seconds` }), createN8n()]);
  await n8n.importJson(
    "credentials",
    n8nCredentials({
      reviewerToken,
      slackBotToken: SLACK_BOT_TOKEN,
      slackSigningSecret: SLACK_SIGNING_SECRET,
      decisionSecret: setting("DECISION_SIGNING_SECRET"),
    }),
  );
  const urls = { greenlightUrl: stack.baseUrl, slackApiUrl: slack.url };
  await n8n.importJson("workflow", [
    flowFor("review-poller.workflow.json", POLLER_ID, { ...urls, slackChannel: "#greenlight-reviews" }),
    flowFor("slack-decision.workflow.json", DECISION_ID, { ...urls, approverIds: `${APPROVER.id},${SECOND_APPROVER.id}` }),
  ]);
  const published = await n8n.cli(["publish:workflow", `--id=${DECISION_ID}`]);
  expect(published.code, published.output).toBe(0);
  await n8n.start();
}, 240_000);

afterAll(async () => {
  await n8n?.stop();
  await stopAllStacks();
  await slack?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("the n8n flows", () => {
  let first: Task;
  let second: Task;

  it("post one Slack message per pending task, with its image, facts and buttons, and confirm each announcement", async () => {
    first = await queuedTask("first");
    second = await queuedTask(HOSTILE);

    await runPoller();

    for (const task of [first, second]) {
      const post = messageFor(task.taskId);
      expect(post.token).toBe(SLACK_BOT_TOKEN);
      expect(post.body.channel).toBe("#greenlight-reviews");
      const blocks = post.body.blocks as Array<Record<string, any>>;
      const image = blocks.find((block) => block.type === "image");
      expect(image?.image_url).toMatch(new RegExp(`^${stack.baseUrl}/v1/images/${task.taskId}\\?expires=\\d+&sig=`));
      const actions = blocks.find((block) => block.type === "actions");
      expect(actions?.block_id).toBe("greenlight_decision");
      expect(actions?.elements).toEqual([
        expect.objectContaining({ action_id: "greenlight_approve", value: task.taskId, style: "primary" }),
        expect.objectContaining({ action_id: "greenlight_reject", value: task.taskId, style: "danger", confirm: expect.any(Object) }),
      ]);
      const text = JSON.stringify(blocks);
      for (const fact of [client.id, "48", "32", "png", "blue"]) expect(text).toContain(fact);
      // The metadata, verbatim, in a rich text code block that Slack shows literally.
      expect(blocks.find((block) => block.block_id === "greenlight_metadata")?.elements).toEqual([
        { type: "rich_text_section", elements: [{ type: "text", text: "Metadata:", style: { bold: true } }] },
        { type: "rich_text_preformatted", elements: [{ type: "text", text: JSON.stringify(task.metadata) }] },
      ]);
    }
    const hostileBlocks = messageFor(second.taskId).body.blocks as Array<Record<string, unknown>>;
    const hostileMrkdwn = JSON.stringify(hostileBlocks.filter((block) => block.block_id !== "greenlight_metadata"));
    for (const fragment of ["```", "<!channel>", "<https://evil.example|click>", "*bold*", "@here"])
      expect(hostileMrkdwn).not.toContain(fragment);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(2);

    // Announced tasks are never handed out again, even after the claim lease ran out.
    await new Promise((resolve) => setTimeout(resolve, (CLAIM_LEASE_SECONDS + 1) * 1000));
    const api = stackClients(stack.baseUrl, { clientKey: client.key, reviewerToken });
    const again = await api.reviewer.api.POST("/v1/reviews/claim", { body: { limit: 100 } });
    expect(again.data?.items.map((item) => item.taskId)).not.toContain(first.taskId);
    expect(again.data?.items.map((item) => item.taskId)).not.toContain(second.taskId);
  });

  it("turn a correctly signed Approve click into a recorded decision and an updated message", async () => {
    const post = messageFor(first.taskId);
    const answer = await click(
      blockActionsPayload({
        actionId: "greenlight_approve",
        taskId: first.taskId,
        user: APPROVER,
        channel: "C0GREENLIGHT",
        messageTs: slackTs(post),
      }),
    );
    expect(answer.status).toBe(200);

    const api = stackClients(stack.baseUrl, { clientKey: client.key, reviewerToken });
    const decided = await api.client.waitForTask(first.taskId, { until: (task) => task.decision !== null, timeoutMs: 20_000 });
    expect(decided.decision).toMatchObject({ decision: "approve", reviewer: { id: APPROVER.id }, via: "n8n" });

    await waitFor(
      "the message to be updated",
      () => (slack.callsTo("chat.update").some((call) => call.body.ts === slackTs(post)) ? true : undefined),
      { timeoutMs: 20_000 },
    );
    const update = slack.callsTo("chat.update").find((call) => call.body.ts === slackTs(post))!;
    expect(update.body.channel).toBe("C0GREENLIGHT");
    const blocks = JSON.stringify(update.body.blocks ?? []);
    expect(blocks).not.toContain("greenlight_approve");
    expect(`${update.body.text} ${blocks}`).toContain(APPROVER.name);
    expect(update.body.text).toBe(`Approved by ${APPROVER.name}`);
    expect((update.body.blocks as Array<Record<string, unknown>>).at(-1)).toMatchObject({
      type: "rich_text",
      block_id: "greenlight_outcome",
      elements: [
        {
          type: "rich_text_section",
          elements: expect.arrayContaining([
            { type: "user", user_id: APPROVER.id },
            { type: "text", text: ` (${APPROVER.name}) ` },
          ]),
        },
      ],
    });
  });

  it("change nothing for a badly signed, a stale, or a non-approver's click", async () => {
    const post = messageFor(second.taskId);
    const payload = (user = APPROVER) =>
      blockActionsPayload({
        actionId: "greenlight_reject",
        taskId: second.taskId,
        user,
        channel: "C0GREENLIGHT",
        messageTs: slackTs(post),
      });
    const updatesBefore = slack.callsTo("chat.update").length;

    expect((await click(payload(), "not-the-signing-secret")).status).toBe(401);
    expect((await click(payload(), SLACK_SIGNING_SECRET, String(Math.floor(Date.now() / 1000) - 10 * 60))).status).toBe(401);
    expect((await click(payload(STRANGER))).status).toBe(200);

    await waitFor(
      "the stranger to be told off",
      () => (slack.callsTo("chat.postEphemeral").some((call) => call.body.user === STRANGER.id) ? true : undefined),
      { timeoutMs: 20_000 },
    );
    const api = stackClients(stack.baseUrl, { clientKey: client.key, reviewerToken });
    const { task } = await api.client.getTask(second.taskId);
    expect(task.status).toBe("pending");
    expect(task.decision).toBeNull();
    expect(slack.callsTo("chat.update")).toHaveLength(updatesBefore);
  });

  it("post each due reminder and escalation once, in the review message's thread or to escalateTo, and confirm each", async () => {
    const toGroup = await queuedTask("escalated to a user group", { ...STAGES, escalateTo: "S0LEADS" });
    const toChannel = await queuedTask("escalated to a channel", { ...STAGES, escalateTo: "#leads" });
    // The task's gate records each stage as due at its time; the poller finds them on its next run.
    for (const task of [toGroup, toChannel]) {
      const due = async () => ((await reviewStatus(task.taskId)).stages.length === 2 ? true : undefined);
      await waitFor(`the stages of ${task.taskId} to come due`, due, { timeoutMs: 20_000 });
    }
    const postsBefore = slack.callsTo("chat.postMessage").length;

    // One run announces both tasks, then posts their stages in the new messages' threads.
    await runPoller();

    // Sorted: an escalation that links to the review message goes out after Slack's permalink, whatever its turn.
    const stagePosts = (taskId: string) =>
      slack
        .callsTo("chat.postMessage")
        .filter((call) => call.body.blocks === undefined && String(call.body.text).includes(taskId))
        .map((call) => {
          expect(call.token).toBe(SLACK_BOT_TOKEN);
          expect(call.answer.ok).toBe(true);
          const { unfurl_links, unfurl_media, ...post } = call.body;
          expect({ unfurl_links, unfurl_media }).toEqual({ unfurl_links: false, unfurl_media: false });
          return post;
        })
        .sort((one, other) => String(one.text).localeCompare(String(other.text)));
    const waiting = (task: Task) => `task ${task.taskId} is still waiting for review.`;
    const groupMessage = messageFor(toGroup.taskId);
    expect(groupMessage.answer.channel).toBe("C0GREENLIGHT");
    expect(stagePosts(toGroup.taskId)).toEqual([
      { channel: "C0GREENLIGHT", thread_ts: slackTs(groupMessage), text: `:alarm_clock: Reminder 1: ${waiting(toGroup)}` },
      {
        channel: "C0GREENLIGHT",
        thread_ts: slackTs(groupMessage),
        reply_broadcast: true,
        text: `:rotating_light: Escalated to <!subteam^S0LEADS>: ${waiting(toGroup)}`,
      },
    ]);
    const channelMessage = messageFor(toChannel.taskId);
    const permalink = `https://greenlight-test.slack.com/archives/C0GREENLIGHT/p${slackTs(channelMessage).replace(".", "")}`;
    expect(stagePosts(toChannel.taskId)).toEqual([
      { channel: "C0GREENLIGHT", thread_ts: slackTs(channelMessage), text: `:alarm_clock: Reminder 1: ${waiting(toChannel)}` },
      { channel: "#leads", text: `:rotating_light: Escalated: ${waiting(toChannel)} <${permalink}|Open the review message>` },
    ]);
    expect(slack.callsTo("chat.getPermalink").map((call) => [call.body, call.answer.ok])).toEqual([
      [{ channel: "C0GREENLIGHT", message_ts: slackTs(channelMessage) }, true],
    ]);
    // Two review messages and four stages, nothing else.
    expect(slack.callsTo("chat.postMessage")).toHaveLength(postsBefore + 6);

    for (const [task, escalateTo] of [
      [toGroup, "S0LEADS"],
      [toChannel, "#leads"],
    ] as const) {
      expect((await reviewStatus(task.taskId)).stages).toEqual([
        { stage: "reminder", n: 1, dueAt: expect.any(String), escalateTo: null, confirmedAt: expect.any(String) },
        { stage: "escalation", n: null, dueAt: expect.any(String), escalateTo, confirmedAt: expect.any(String) },
      ]);
    }

    // Past the lease an unconfirmed stage would be handed out again; confirmed ones never are. Each `n8n execute` is a
    // process of its own, so this is also a restarted n8n.
    await new Promise((resolve) => setTimeout(resolve, (CLAIM_LEASE_SECONDS + 1) * 1000));
    await runPoller();
    expect(slack.callsTo("chat.postMessage")).toHaveLength(postsBefore + 6);
    expect(slack.callsTo("chat.getPermalink")).toHaveLength(1);
  });

  it("show a counted approval's progress on the message, keeping the buttons, until the quorum decides", async () => {
    const task = await queuedTask("quorum", { approvalsRequired: 2 });
    await runPoller();
    const post = messageFor(task.taskId);
    const posted = post.body.blocks as Array<Record<string, unknown>>;
    const buttons = posted.at(-1);
    expect(buttons).toMatchObject({ type: "actions", block_id: "greenlight_decision" });
    // Slack sends the clicked message's blocks with each click.
    const clickBy = (user: { id: string; name: string }, blocks: unknown) =>
      click({
        ...blockActionsPayload({
          actionId: "greenlight_approve",
          taskId: task.taskId,
          user,
          channel: "C0GREENLIGHT",
          messageTs: slackTs(post),
        }),
        message: { type: "message", ts: slackTs(post), text: "Review requested", blocks },
      });
    const updatesOf = () => slack.callsTo("chat.update").filter((call) => call.body.ts === slackTs(post));

    expect((await clickBy(APPROVER, posted)).status).toBe(200);
    const progress = await waitFor("the message to show the count", () => updatesOf()[0], { timeoutMs: 20_000 });
    // The very block the Slack app shows: the two surfaces render a quorum alike.
    const counted = approvalsCount([APPROVER], 2);
    expect(progress.body).toEqual({
      channel: "C0GREENLIGHT",
      ts: slackTs(post),
      text: `1 of 2 approvals: ${task.taskId}`,
      blocks: [...posted.slice(0, -1), counted, buttons],
    });
    expect(progress.answer.ok).toBe(true);
    await waitFor(
      "the approver to be told the approval counted",
      () =>
        slack
          .callsTo("chat.postEphemeral")
          .find(
            (call) => call.body.user === APPROVER.id && String(call.body.text).startsWith("Your approval was counted: 1 of 2 approvals"),
          ),
      { timeoutMs: 20_000 },
    );
    const pending = await reviewStatus(task.taskId);
    expect(pending).toMatchObject({ status: "pending", approvalsRequired: 2, approvals: [{ reviewer: APPROVER }] });

    expect((await clickBy(SECOND_APPROVER, progress.body.blocks)).status).toBe(200);
    const api = stackClients(stack.baseUrl, { clientKey: client.key, reviewerToken });
    const decided = await api.client.waitForTask(task.taskId, { until: (current) => current.decision !== null, timeoutMs: 20_000 });
    expect(decided.decision).toMatchObject({
      decision: "approve",
      reviewer: SECOND_APPROVER,
      via: "n8n",
      approvals: [{ reviewer: APPROVER }, { reviewer: SECOND_APPROVER }],
    });
    const outcome = await waitFor("the message to show the decision", () => updatesOf()[1], { timeoutMs: 20_000 });
    expect(updatesOf()).toHaveLength(2);
    expect(outcome.body.text).toBe(`Approved by ${SECOND_APPROVER.name}`);
    const blocks = outcome.body.blocks as Array<Record<string, unknown>>;
    // The buttons go; the count stays above the outcome as the record of the approvals before it.
    expect(blocks.slice(0, -1)).toEqual([...posted.slice(0, -1), counted]);
    expect(blocks.at(-1)).toMatchObject({ type: "rich_text", block_id: "greenlight_outcome" });
  });
});

const slackTs = (post: SlackCall) => String(post.answer.ts);
