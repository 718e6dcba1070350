// The Home tab's listener with a fake Slack client and a scripted Greenlight: approvers see the queue, anyone else sees
// a note and nothing of it. (The real app publishing it is in slack-app.test.ts.)
import type { Logger, webApi } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { ReviewItemSchema } from "../../worker/src/domain/review.ts";
import { buildNonApproverHome } from "../../slack-app/blocks/app-home.ts";
import { publishHome } from "../../slack-app/listeners/events/app-home-opened.ts";
import type { WorkerClient } from "../../slack-app/worker-client.ts";

const TASK = `tsk_${"e".repeat(32)}`;
const PREVIEW = `https://greenlight.example/v1/images/${TASK}?expires=1767409445&sig=abc`;
const ADA = "U0ADA";
const MALLORY = "U0MALLORY";

const pending = ReviewItemSchema.parse({
  taskId: TASK,
  createdAt: new Date(Date.now() - 60_000).toISOString(),
  reviewDeadline: new Date(Date.now() + 3_600_000).toISOString(),
  client: "demo",
  metadata: { order: 42 },
  image: { contentType: "image/png", bytes: 2048, width: 640, height: 480, previewUrl: PREVIEW },
  prescreen: null,
});

/** The Home tab as `userId` gets it, with `approvers` listed, and whether Greenlight was asked for the queue. */
async function homeFor(userId: string, approvers: string[]) {
  const listed: unknown[] = [];
  const published: Array<{ user_id: string; view: { type: string; blocks: unknown[] } }> = [];
  const greenlight = {
    listPending: async (...args: unknown[]) => {
      listed.push(args);
      return { items: [pending], nextCursor: null };
    },
  } as unknown as WorkerClient;
  const client = {
    views: {
      publish: async (args: (typeof published)[number]) => {
        published.push(args);
        return { ok: true };
      },
    },
  } as unknown as webApi.WebClient;
  const logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
  await publishHome({ greenlight, reviewerTokenSet: true, approverIds: new Set(approvers) }, client, logger, userId);
  expect(published).toHaveLength(1);
  return { call: published[0]!, askedGreenlight: listed.length > 0 };
}

describe("the Home tab's listener", () => {
  it("publishes the queue, its oldest task and the preview, to an approver", async () => {
    const { call, askedGreenlight } = await homeFor(ADA, [ADA]);
    expect(askedGreenlight).toBe(true);
    expect(call.user_id).toBe(ADA);
    expect(call.view.blocks).toContainEqual(expect.objectContaining({ block_id: `greenlight_oldest_${TASK}`, accessory: { type: "image", image_url: PREVIEW, alt_text: `preview of ${TASK}` } }));
  });

  it("publishes to someone not on the approver list only the note: no count, no task, no preview URL, and asks Greenlight nothing", async () => {
    const { call, askedGreenlight } = await homeFor(MALLORY, [ADA]);
    expect(askedGreenlight).toBe(false);
    expect(call).toEqual({ user_id: MALLORY, view: buildNonApproverHome() });
    const published = JSON.stringify(call.view);
    for (const leak of [TASK, PREVIEW, "/v1/images/", "greenlight_oldest_", "greenlight_queue_depth", "demo", "wait"]) expect(published).not.toContain(leak);
  });

  it("shows the queue to nobody while the approver list is empty, since anyone in the workspace can open the Home tab", async () => {
    const { call, askedGreenlight } = await homeFor(ADA, []);
    expect(askedGreenlight).toBe(false);
    expect(call.view).toEqual(buildNonApproverHome());
  });
});
