// Usage: npm run slack-app   (settings from the environment: see slack-app/README.md)
// The Greenlight Slack app: Approve and Reject buttons, the reject-reason modal, the App Home queue and, with
// POST_REVIEWS=true, the poster. HTTP at POST /slack/events, or Socket Mode when SLACK_APP_TOKEN is set.
import { App } from "@slack/bolt";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { registerListeners } from "./listeners/index.ts";
import { OpenRejections, PostedMessages, UnconfirmedStages } from "./message-store.ts";
import { startPoster } from "./poster.ts";
import { EVENTS_PATH, SlackHttpReceiver } from "./receiver.ts";
import { createWorkerClient } from "./worker-client.ts";

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`slack-app: ${error.message}`);
  process.exit(1);
}

const receiver = config.appToken ? undefined : new SlackHttpReceiver({ signingSecret: config.signingSecret });
// Bolt's own logger, shared by the receiver, the Web API client, the listeners and the poster.
const app = new App({
  token: config.botToken,
  logLevel: config.logLevel,
  // SLACK_API_URL reaches every Web API call, apps.connections.open (Socket Mode) included. Few, quick retries:
  // a click's outcome is only worth showing while the clicker is still looking.
  clientOptions: { slackApiUrl: config.slackApiUrl, retryConfig: { retries: 2, minTimeout: 500, maxTimeout: 2000 }, timeout: 10_000 },
  ...(config.appToken ? { socketMode: true, appToken: config.appToken } : { receiver }),
});
const { logger } = app;
app.error(async (error) => logger.error(`unhandled: ${error.message}`, error));

const greenlight = createWorkerClient({
  baseUrl: config.greenlightUrl,
  decisionSecret: config.decisionSecret,
  reviewerToken: config.reviewerToken,
});
const posted = new PostedMessages();
registerListeners(app, {
  greenlight,
  posted,
  approverIds: config.approverIds,
  greenlightUrl: config.greenlightUrl,
  rejections: new OpenRejections(),
  reviewerTokenSet: config.reviewerToken !== null,
});

if (receiver) {
  const address = await receiver.start(config.port, config.host ?? undefined);
  const host = address.address.includes(":") ? `[${address.address}]` : address.address;
  logger.info(`listening on http://${host}:${address.port}${EVENTS_PATH} (Greenlight at ${config.greenlightUrl})`);
} else {
  await app.start();
  logger.info(`connected to Slack over Socket Mode (Greenlight at ${config.greenlightUrl})`);
}

const poster = config.poster
  ? startPoster({ greenlight, client: app.client, posted, unconfirmed: new UnconfirmedStages(), logger, ...config.poster })
  : null;
if (config.poster) logger.info(`posting pending reviews to ${config.poster.channel} every ${config.poster.intervalMs / 1000} s`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await poster?.stop();
    await app.stop();
    process.exit(0);
  });
}
