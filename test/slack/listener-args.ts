// What a direct listener test hands a listener in Bolt's place: an ack and a logger that record what they get, the real
// Web API client pointed at the local Slack stub, and Slack's payloads typed as Bolt types them.
import { type BlockAction, type ButtonAction, type Logger, LogLevel, type ViewSubmitAction, webApi } from "@slack/bolt";
import type { SlackStub } from "../support/slack-stub.ts";

export type RecordingLogger = Logger & { lines: string[] };

/** Keeps every line as "LEVEL text", so a test can assert what was logged. */
export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const write =
    (level: string) =>
    (...messages: unknown[]) =>
      void lines.push(`${level} ${messages.map(String).join(" ")}`);
  return {
    lines,
    debug: write("DEBUG"),
    info: write("INFO"),
    warn: write("WARN"),
    error: write("ERROR"),
    setLevel() {},
    getLevel: () => LogLevel.DEBUG,
    setName() {},
  };
}

/** An ack that records each response it is given (undefined for a plain ack()). */
export function recordingAck<T = void>(): { ack: (response?: T) => Promise<void>; responses: Array<T | undefined> } {
  const responses: Array<T | undefined> = [];
  return { responses, ack: async (response?: T) => void responses.push(response) };
}

/** The client Bolt would hand a listener, talking to the stub; no retries, so a refusal shows at once. */
export const stubClient = (stub: SlackStub, token: string) =>
  new webApi.WebClient(token, { slackApiUrl: stub.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });

/** A button click's body and action, from a payload as Slack sends it (slack-requests.ts builds them). */
export function buttonClick(payload: object): { body: BlockAction<ButtonAction>; action: ButtonAction } {
  const body = payload as BlockAction<ButtonAction>;
  return { body, action: body.actions[0]! };
}

/** A modal submission's body and view, from a payload as Slack sends it (slack-payloads.ts builds them). */
export function viewSubmission(payload: object): { body: ViewSubmitAction; view: ViewSubmitAction["view"] } {
  const body = payload as ViewSubmitAction;
  return { body, view: body.view };
}
