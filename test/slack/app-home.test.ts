// The Home tab's listeners, called directly as Bolt calls them, with the real Web API client against the local Slack
// stub and a Greenlight stand-in: approvers see the queue, anyone else a note and nothing of it. (The real app
// publishing it for the Events API is in slack-app.test.ts.)
import type { BlockAction } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appHomeOpened, type HomeDeps, homeRefreshClicked } from "../../slack-app/listeners/events/app-home-opened.ts";
import { createWorkerClient } from "../../slack-app/worker-client.ts";
import type { SlackStub } from "../support/slack-stub.ts";
import { ADA, BOT_TOKEN, MALLORY, STAND_IN, startSlackAndGreenlight } from "./fixtures.ts";
import { type GreenlightStandIn, newTaskId, reviewItem } from "./greenlight-stand-in.ts";
import { recordingAck, recordingLogger, stubClient } from "./listener-args.ts";
import { appHomeOpenedEvent, homeRefreshPayload } from "./slack-payloads.ts";

const NOTE = {
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

let slack: SlackStub;
let greenlight: GreenlightStandIn;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ slack, greenlight, close } = await startSlackAndGreenlight());
  greenlight.pending = Array.from({ length: 7 }, () => reviewItem(newTaskId()));
});
afterEach(() => close());

const homeDeps = (approvers: string[], reviewerTokenSet = true): HomeDeps => ({
  greenlight: createWorkerClient({ baseUrl: greenlight.url, ...STAND_IN }),
  reviewerTokenSet,
  approverIds: new Set(approvers),
});
const open = (deps: HomeDeps, userId: string, tab: "home" | "messages" = "home") =>
  appHomeOpened(deps)({ event: appHomeOpenedEvent(userId, tab), client: stubClient(slack, BOT_TOKEN), logger: recordingLogger() });
async function refresh(deps: HomeDeps, user: { id: string; name: string }) {
  const { ack, responses } = recordingAck();
  await homeRefreshClicked(deps)({
    ack,
    body: homeRefreshPayload(user) as unknown as BlockAction,
    client: stubClient(slack, BOT_TOKEN),
    logger: recordingLogger(),
  });
  return responses;
}
const published = () =>
  slack
    .callsTo("views.publish")
    .map((call) => call.body as { user_id: string; view: { type: string; blocks: Array<Record<string, unknown>> } });

describe("the Home tab's listeners", () => {
  it("publish the queue depth and the oldest five tasks with their previews to an approver, on opening and on Refresh", async () => {
    const deps = homeDeps([ADA.id]);
    await open(deps, ADA.id);
    expect(await refresh(deps, ADA)).toEqual([undefined]);

    const [opened, refreshed, ...more] = published();
    expect(more).toEqual([]);
    for (const call of [opened!, refreshed!]) {
      expect(call.user_id).toBe(ADA.id);
      expect(call.view.type).toBe("home");
      expect(call.view.blocks[1]).toEqual({
        type: "section",
        block_id: "greenlight_queue_depth",
        text: { type: "mrkdwn", text: "*7* images wait for review." },
      });
      const oldest = call.view.blocks.filter((block) => String(block.block_id).startsWith("greenlight_oldest_"));
      expect(oldest.map((block) => block.block_id)).toEqual(
        greenlight.pending.slice(0, 5).map((item) => `greenlight_oldest_${item.taskId}`),
      );
      const first = greenlight.pending[0]!;
      expect(oldest[0]!.accessory).toEqual({ type: "image", image_url: first.image.previewUrl, alt_text: `preview of ${first.taskId}` });
    }
  });

  it("publish to someone not on the approver list only the note, on opening and on Refresh, and ask Greenlight nothing", async () => {
    const deps = homeDeps([ADA.id]);
    await open(deps, MALLORY.id);
    await refresh(deps, MALLORY);
    expect(published()).toEqual([
      { user_id: MALLORY.id, view: NOTE },
      { user_id: MALLORY.id, view: NOTE },
    ]);
    expect(greenlight.requests).toEqual([]);
    const view = JSON.stringify(published());
    for (const leak of ["tsk_", "/v1/images/", "greenlight_oldest_", "greenlight_queue_depth", "demo"]) expect(view).not.toContain(leak);
  });

  it("show the queue to nobody while the approver list is empty, since anyone in the workspace can open the Home tab", async () => {
    await open(homeDeps([]), ADA.id);
    expect(published()).toEqual([{ user_id: ADA.id, view: NOTE }]);
    expect(greenlight.requests).toEqual([]);
  });

  it("say why the queue cannot be shown when the app has no reviewer token", async () => {
    await open(homeDeps([ADA.id], false), ADA.id);
    expect(published()[0]!.view.blocks[1]).toEqual({
      type: "section",
      text: { type: "mrkdwn", text: ":warning: The queue cannot be shown: the Slack app has no REVIEWER_TOKEN." },
    });
    expect(greenlight.requests).toEqual([]);
  });

  it("publish nothing when the app's Messages tab is opened", async () => {
    await open(homeDeps([ADA.id]), ADA.id, "messages");
    expect(slack.calls).toEqual([]);
    expect(greenlight.requests).toEqual([]);
  });
});
