// The App Home tab, published whenever a user opens it or clicks Refresh: for approvers, queue depth and the oldest
// pending tasks; for anyone else, a note and nothing of the queue.
import type { AllMiddlewareArgs, BlockAction, Logger, SlackActionMiddlewareArgs, SlackEventMiddlewareArgs, webApi } from "@slack/bolt";
import { buildAppHome, buildNonApproverHome } from "../../blocks/app-home.ts";
import { sendWithImageFallback } from "../../blocks/without-images.ts";
import { describe, maySeeQueue } from "../../decide.ts";
import { readQueue } from "../../queue.ts";
import type { WorkerClient } from "../../worker-client.ts";

export type HomeDeps = { greenlight: WorkerClient; reviewerTokenSet: boolean; approverIds: ReadonlySet<string> };

/** What the Home listeners use of Bolt's arguments, so a test can call them with a fake `ack` and `client`. */
export type HomeOpenedArgs = Pick<SlackEventMiddlewareArgs<"app_home_opened"> & AllMiddlewareArgs, "event" | "client" | "logger">;
export type HomeRefreshArgs = Pick<SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs, "ack" | "body" | "client" | "logger">;

export const appHomeOpened =
  (deps: HomeDeps) =>
  async ({ event, client, logger }: HomeOpenedArgs): Promise<void> => {
    if (event.tab !== "home") return;
    await publishHome(deps, client, logger, event.user);
  };

export const homeRefreshClicked =
  (deps: HomeDeps) =>
  async ({ ack, body, client, logger }: HomeRefreshArgs): Promise<void> => {
    await ack();
    await publishHome(deps, client, logger, body.user.id);
  };

async function publishHome(deps: HomeDeps, client: webApi.WebClient, logger: Logger, userId: string): Promise<void> {
  // Greenlight is not even asked for someone who may not see its answer.
  const view = maySeeQueue(deps.approverIds, userId)
    ? buildAppHome(await readQueue(deps.greenlight, deps.reviewerTokenSet), new Date())
    : buildNonApproverHome();
  try {
    await sendWithImageFallback(view.blocks, (blocks) => client.views.publish({ user_id: userId, view: { ...view, blocks } }));
  } catch (error) {
    logger.warn(`views.publish for ${userId} failed: ${describe(error)}`);
  }
}
