// Requests as Slack sends them to an app: interactivity payloads, form-encoded and signed with the v0 scheme.
import { createHmac } from "node:crypto";

export type ClickOptions = {
  actionId: string;
  taskId: string;
  user: { id: string; name: string };
  channel: string;
  messageTs: string;
};

/** A block_actions payload for a button click on a posted message, shaped as Slack documents it. */
export function blockActionsPayload({ actionId, taskId, user, channel, messageTs }: ClickOptions) {
  return {
    type: "block_actions",
    user: { id: user.id, username: user.name, name: user.name, team_id: "T0GREEN" },
    api_app_id: "A0GREENLIGHT",
    token: "legacy-verification-token",
    container: { type: "message", message_ts: messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: "1111.2222.abcdef",
    team: { id: "T0GREEN", domain: "greenlight-test" },
    channel: { id: channel, name: "greenlight-reviews" },
    message: { type: "message", ts: messageTs, text: "Review requested" },
    response_url: "https://hooks.slack.com/actions/T0GREEN/1/abc",
    actions: [
      {
        action_id: actionId,
        block_id: "greenlight_decision",
        value: taskId,
        type: "button",
        action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
        text: { type: "plain_text", text: actionId.endsWith("approve") ? "Approve" : "Reject" },
      },
    ],
  };
}

/** Slack's v0 signature: hex HMAC-SHA256 of "v0:<timestamp>:<raw body>" keyed with the signing secret. */
export const slackSignature = (secret: string, timestamp: string, body: string) =>
  `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;

/** The form body and headers of a signed interactivity request; `timestamp` defaults to now. */
export function signedInteraction(secret: string, payload: unknown, timestamp = String(Math.floor(Date.now() / 1000))) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return {
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": slackSignature(secret, timestamp, body),
    },
  };
}
