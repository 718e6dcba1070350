// Every listener, grouped by the Slack surface it serves; each is an exported callback built from the app's dependencies.
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import { APPROVE_ACTION, HOME_REFRESH_ACTION, REJECT_ACTION, REJECT_VIEW } from "../blocks/ids.ts";
import type { DecisionDeps } from "../decide.ts";
import type { OpenRejections } from "../message-store.ts";
import { approveClicked } from "./actions/approve.ts";
import { rejectClicked } from "./actions/reject.ts";
import { appHomeOpened, homeRefreshClicked } from "./events/app-home-opened.ts";
import { rejectReasonSubmitted } from "./views/reject-reason.ts";

export type ListenerDeps = DecisionDeps & { rejections: OpenRejections; reviewerTokenSet: boolean };

export function registerListeners(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(APPROVE_ACTION, approveClicked(deps));
  app.action<BlockAction<ButtonAction>>(REJECT_ACTION, rejectClicked(deps));
  app.view<ViewSubmitAction>(REJECT_VIEW, rejectReasonSubmitted(deps));
  app.event("app_home_opened", appHomeOpened(deps));
  app.action<BlockAction>(HOME_REFRESH_ACTION, homeRefreshClicked(deps));
}
