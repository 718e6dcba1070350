// What the Slack tests share: the people who click, the bot's token and channel, hostile text, and a fresh Slack stub
// with a Greenlight stand-in for a test that calls the listeners directly.
import { type SlackStub, startSlackStub } from "../support/slack-stub.ts";
import { type GreenlightStandIn, startGreenlightStandIn } from "./greenlight-stand-in.ts";

export const BOT_TOKEN = "xoxb-greenlight-test";
export const CHANNEL = "C0GREENLIGHT";
/** Ada and Grace are approvers; Mallory is not. */
export const ADA = { id: "U0APPROVER", name: "ada" };
export const GRACE = { id: "U0SECOND", name: "grace" };
export const MALLORY = { id: "U0STRANGER", name: "mallory" };
// What a client or reviewer could write to make Slack ping, link or format.
export const HOSTILE = "``` <!channel> <https://evil.example|click> *bold* @here";

/** The secrets the stand-in and the app's client share. */
export const STAND_IN = { decisionSecret: "stand-in-decision-secret-0123456789abcdef", reviewerToken: "stand-in-reviewer-token" };

/** A Slack stub for the bot's token and a Greenlight stand-in, and one call that closes both. */
export async function startSlackAndGreenlight(): Promise<{ slack: SlackStub; greenlight: GreenlightStandIn; close(): Promise<void> }> {
  const [slack, greenlight] = await Promise.all([startSlackStub({ token: BOT_TOKEN }), startGreenlightStandIn(STAND_IN)]);
  return { slack, greenlight, close: async () => void (await Promise.all([slack.close(), greenlight.close()])) };
}
