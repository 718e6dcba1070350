// Bolt's HTTPReceiver behind one more check: Slack's request timestamp must lie within 5 minutes of now either way.
// Bolt refuses stale timestamps but accepts ones from the future; Slack's rule is "differs from local time by more than
// five minutes" (https://docs.slack.dev/authentication/verifying-requests-from-slack), so those are refused here too.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type App, HTTPReceiver, type Logger, type Receiver } from "@slack/bolt";

export const EVENTS_PATH = "/slack/events";
const MAX_SKEW_SECONDS = 5 * 60;

export class SlackHttpReceiver implements Receiver {
  readonly #signingSecret: string;
  // Set by init(), which the App's constructor calls before anything can start the receiver.
  #inner!: HTTPReceiver;
  #logger!: Logger;
  #server: Server | undefined;

  constructor(options: { signingSecret: string }) {
    this.#signingSecret = options.signingSecret;
  }

  /** Bolt calls this from the App's constructor; the receiver then logs through the App's own logger. */
  init(app: App): void {
    this.#logger = app.logger;
    this.#inner = new HTTPReceiver({
      signingSecret: this.#signingSecret,
      endpoints: EVENTS_PATH,
      logger: app.logger,
      // Acknowledge as soon as a listener calls ack(); the work after it (Greenlight, chat.update) runs on.
      processBeforeResponse: false,
      customRoutes: [
        {
          path: "/healthz",
          method: ["GET"],
          handler: (_request, response) => void response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
        },
      ],
    });
    this.#inner.init(app);
  }

  /** Listens on `port` (0: any free port) and `host` (undefined: every interface); resolves with the bound address. */
  start(port: number, host?: string): Promise<AddressInfo> {
    const server = createServer((request, response) => this.#handle(request, response));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve(server.address() as AddressInfo));
    });
  }

  stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    if (request.method === "POST" && new URL(request.url ?? "/", "http://localhost").pathname === EVENTS_PATH && fromTheFuture(request)) {
      this.#logger.warn("Refused a Slack request whose x-slack-request-timestamp is more than 5 minutes in the future");
      response.writeHead(401).end();
      return;
    }
    try {
      this.#inner.requestListener(request, response);
    } catch {
      // HTTPReceiver throws for paths it does not serve, leaving the answer to its caller.
      response.writeHead(404).end();
    }
  }
}

function fromTheFuture(request: IncomingMessage): boolean {
  const timestamp = Number(request.headers["x-slack-request-timestamp"]);
  return Number.isFinite(timestamp) && timestamp > Date.now() / 1000 + MAX_SKEW_SECONDS;
}
