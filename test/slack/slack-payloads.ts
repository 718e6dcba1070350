// Requests as Slack sends them to the app beyond button clicks: modal submissions, the Home tab's events and Refresh
// button, Events API callbacks, signed.
import type { types } from "@slack/bolt";
import { slackSignature } from "../support/slack-requests.ts";

type User = { id: string; name: string };

/** A view_submission for a modal the app opened (the view as views.open received it), with the reason typed in. */
export function viewSubmissionPayload({ user, view, reason }: { user: User; view: Record<string, unknown>; reason: string }) {
  return {
    type: "view_submission",
    team: { id: "T0GREEN", domain: "greenlight-test" },
    user: { id: user.id, username: user.name, name: user.name, team_id: "T0GREEN" },
    api_app_id: "A0GREENLIGHT",
    token: "legacy-verification-token",
    trigger_id: "3333.4444.abcdef",
    view: {
      ...view,
      id: "V0REJECT",
      team_id: "T0GREEN",
      app_id: "A0GREENLIGHT",
      bot_id: "B0BOT",
      hash: "1700000000.abcdef",
      root_view_id: "V0REJECT",
      previous_view_id: null,
      clear_on_close: false,
      notify_on_close: false,
      state: { values: { reason: { reason: { type: "plain_text_input", value: reason } } } },
    },
    response_urls: [],
    is_enterprise_install: false,
  };
}

/** An Events API callback wrapping `event`. */
export function eventCallback(event: object) {
  return {
    token: "legacy-verification-token",
    team_id: "T0GREEN",
    api_app_id: "A0GREENLIGHT",
    event,
    type: "event_callback",
    event_id: `Ev${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: "T0GREEN", user_id: "U0BOT", is_bot: true, is_enterprise_install: false }],
  };
}

/** Events arrive as a JSON body (interactivity arrives form-encoded), signed the same way. */
export function signedEvent(secret: string, payload: unknown, timestamp = String(Math.floor(Date.now() / 1000))) {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": slackSignature(secret, timestamp, body),
    },
  };
}

/** A click on the Home tab's Refresh button, as Slack sends it. */
export const homeRefreshPayload = (user: User) => ({
  type: "block_actions",
  user: { id: user.id, username: user.name, name: user.name, team_id: "T0GREEN" },
  api_app_id: "A0GREENLIGHT",
  token: "legacy-verification-token",
  container: { type: "view", view_id: "V0HOME" },
  trigger_id: "5555.6666.abcdef",
  team: { id: "T0GREEN", domain: "greenlight-test" },
  view: {
    id: "V0HOME",
    type: "home",
    blocks: [],
    private_metadata: "",
    callback_id: "",
    state: { values: {} },
    hash: "1.2",
    app_id: "A0GREENLIGHT",
    bot_id: "B0BOT",
  },
  actions: [
    {
      action_id: "greenlight_home_refresh",
      block_id: "refresh",
      type: "button",
      action_ts: `${Date.now() / 1000}`,
      text: { type: "plain_text", text: "Refresh" },
    },
  ],
});

/** The app_home_opened event for `userId`'s Home tab (or another of the app's tabs). */
export const appHomeOpenedEvent = (userId: string, tab: "home" | "messages" = "home"): types.AppHomeOpenedEvent => ({
  type: "app_home_opened",
  user: userId,
  channel: "D0HOME",
  tab,
  event_ts: `${Date.now() / 1000}`,
});
