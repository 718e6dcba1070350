// Starts `node slack-app/app.ts` (what `npm run slack-app` runs) as a real process on a free loopback port, and stops it.
import type { ChildProcess } from "node:child_process";
import { lineMatching, startProcess } from "../../scripts/lib/start-process.ts";

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)\/slack\/events/;
const SOCKET_MODE = /connected to Slack over Socket Mode/;

export type SlackAppProcess = {
  /** Base URL; Slack's requests go to `${url}/slack/events` (empty in Socket Mode, which listens nowhere). */
  url: string;
  output: string[];
  child: ChildProcess;
  stop(): Promise<void>;
};

const running = new Set<SlackAppProcess>();

// Every setting the app reads, blanked (the app treats empty as unset) so nothing leaks in from the developer's shell.
const UNSET = Object.fromEntries(
  [
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_API_URL",
    "GREENLIGHT_URL",
    "DECISION_SIGNING_SECRET",
    "SLACK_APPROVER_IDS",
    "REVIEWER_TOKEN",
    "POST_REVIEWS",
    "SLACK_CHANNEL",
    "POLL_INTERVAL_SECONDS",
    "LOG_LEVEL",
  ].map((name) => [name, ""]),
);

/** Only the settings given, on a free loopback port; resolves once it listens, or has connected in Socket Mode. */
export async function startSlackApp(env: Record<string, string>): Promise<SlackAppProcess> {
  const started = startProcess({
    what: "the Slack app",
    args: ["slack-app/app.ts"],
    env: { ...UNSET, PORT: "0", HOST: "127.0.0.1", ...env },
    ready: (output) => lineMatching(LISTENING)(output) ?? (lineMatching(SOCKET_MODE)(output) === undefined ? undefined : ""),
    readyTimeoutMs: 20_000,
    intervalMs: 20,
    stopTimeoutMs: 5000,
  });
  const app: SlackAppProcess = {
    url: await started.ready,
    output: started.output,
    child: started.child,
    async stop() {
      running.delete(app);
      await started.stop();
    },
  };
  running.add(app);
  return app;
}

export async function stopAllSlackApps(): Promise<void> {
  await Promise.all([...running].map((app) => app.stop()));
}
