// The App Home tab, published whenever a user opens it or clicks Refresh: for approvers, queue depth and the oldest
// pending tasks; for anyone else, a note and nothing of the queue.
import type { App, BlockAction, Logger, webApi } from "@slack/bolt";
import { buildAppHome, buildNonApproverHome } from "../../blocks/app-home.ts";
import { HOME_REFRESH_ACTION } from "../../blocks/ids.ts";
import { sendWithImageFallback } from "../../blocks/without-images.ts";
import { describe, maySeeQueue } from "../../decide.ts";
import { readQueue } from "../../queue.ts";
import type { WorkerClient } from "../../worker-client.ts";

export type HomeDeps = { greenlight: WorkerClient; reviewerTokenSet: boolean; approverIds: ReadonlySet<string> };

export function registerAppHome(app: App, deps: HomeDeps): void {
  app.event("app_home_opened", async ({ event, client, logger }) => {
    if (event.tab !== "home") return;
    await publishHome(deps, client, logger, event.user);
  });
  app.action<BlockAction>(HOME_REFRESH_ACTION, async ({ ack, body, client, logger }) => {
    await ack();
    await publishHome(deps, client, logger, body.user.id);
  });
}

export async function publishHome(deps: HomeDeps, client: webApi.WebClient, logger: Logger, userId: string): Promise<void> {
  // Greenlight is not even asked for someone who may not see its answer.
  const view = maySeeQueue(deps.approverIds, userId) ? buildAppHome(await readQueue(deps.greenlight, deps.reviewerTokenSet), new Date()) : buildNonApproverHome();
  try {
    await sendWithImageFallback(view.blocks, (blocks) => client.views.publish({ user_id: userId, view: { ...view, blocks } }));
  } catch (error) {
    logger.warn(`views.publish for ${userId} failed: ${describe(error)}`);
  }
}
