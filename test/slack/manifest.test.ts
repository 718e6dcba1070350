// The manifest that creates the Slack app in one step: the scopes, events and URLs the app's code relies on.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/dev-vars.ts";

const manifest = JSON.parse(readFileSync(join(ROOT, "slack-app/manifest.json"), "utf8"));

describe("slack-app/manifest.json", () => {
  it("asks for chat:write only: posting, updating and ephemeral messages; views and the Home tab need no scope", () => {
    expect(manifest.oauth_config.scopes).toEqual({ bot: ["chat:write"] });
  });

  it("sends interactivity and the app_home_opened event to POST /slack/events, with the Home tab on", () => {
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: expect.stringMatching(/^https:\/\/[^/]+\/slack\/events$/),
    });
    expect(manifest.settings.event_subscriptions).toEqual({
      request_url: manifest.settings.interactivity.request_url,
      bot_events: ["app_home_opened"],
    });
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.bot_user.display_name).toBe("Greenlight");
  });

  it("meets Slack's limits on the descriptions", () => {
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.display_information.long_description.length).toBeGreaterThanOrEqual(174);
    expect(manifest.display_information.long_description.length).toBeLessThanOrEqual(4000);
  });
});
