// Starts `node slack-app/app.ts` (what `npm run slack-app` runs) as a real process on a free loopback port, and stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { ROOT } from "../../scripts/lib/dev-vars.ts";
import { StopWaiting, waitFor } from "../../scripts/lib/wait.ts";
import { tail } from "../../scripts/lib/stack.ts";

// npm scripts run Node 24 from node_modules; the system node may be older and cannot strip types.
const NODE = resolve(ROOT, "node_modules/.bin/node");
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
  ["SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_API_URL", "GREENLIGHT_URL", "DECISION_SIGNING_SECRET", "SLACK_APPROVER_IDS", "REVIEWER_TOKEN", "POST_REVIEWS", "SLACK_CHANNEL", "POLL_INTERVAL_SECONDS", "LOG_LEVEL"].map((name) => [name, ""]),
);

/** Only the settings given, on a free loopback port. */
export async function startSlackApp(env: Record<string, string>): Promise<SlackAppProcess> {
  const output: string[] = [];
  const child = spawn(NODE, ["slack-app/app.ts"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...UNSET, PORT: "0", HOST: "127.0.0.1", ...env },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => output.push(...chunk.split("\n").filter(Boolean)));
  }
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const app: SlackAppProcess = {
    url: "",
    output,
    child,
    async stop() {
      running.delete(app);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), new Promise<false>((done) => setTimeout(done, 5000, false))]);
      if (!stopped && child.pid) process.kill(-child.pid, "SIGKILL");
    },
  };
  running.add(app);
  try {
    app.url = await waitFor(
      "the Slack app to listen, or to connect in Socket Mode",
      () => {
        if (child.exitCode !== null) throw new StopWaiting(`slack-app exited with code ${child.exitCode}:\n${tail(output)}`);
        for (const line of output) {
          const match = LISTENING.exec(line);
          if (match) return match[1];
          if (SOCKET_MODE.test(line)) return "";
        }
        return undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
      () => `\n${tail(output)}`,
    );
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}

export async function stopAllSlackApps(): Promise<void> {
  await Promise.all([...running].map((app) => app.stop()));
}
