// The App Home tab: queue depth and the oldest pending tasks, published whenever a user opens it or clicks Refresh.
import type { App, BlockAction, Logger, webApi } from "@slack/bolt";
import { buildAppHome } from "../../blocks/app-home.ts";
import { HOME_REFRESH_ACTION } from "../../blocks/ids.ts";
import { sendWithImageFallback } from "../../blocks/without-images.ts";
import { describe } from "../../decide.ts";
import { readQueue } from "../../queue.ts";
import type { WorkerClient } from "../../worker-client.ts";

export type HomeDeps = { greenlight: WorkerClient; reviewerTokenSet: boolean };

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

async function publishHome(deps: HomeDeps, client: webApi.WebClient, logger: Logger, userId: string): Promise<void> {
  const view = buildAppHome(await readQueue(deps.greenlight, deps.reviewerTokenSet), new Date());
  try {
    await sendWithImageFallback(view.blocks, (blocks) => client.views.publish({ user_id: userId, view: { ...view, blocks } }));
  } catch (error) {
    logger.warn(`views.publish for ${userId} failed: ${describe(error)}`);
  }
}
