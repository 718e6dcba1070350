// Every listener, grouped by the Slack surface it serves.
import type { App } from "@slack/bolt";
import type { DecisionDeps } from "../decide.ts";
import type { OpenRejections } from "../message-store.ts";
import { registerApprove } from "./actions/approve.ts";
import { registerReject } from "./actions/reject.ts";
import { registerAppHome } from "./events/app-home-opened.ts";
import { registerRejectReason } from "./views/reject-reason.ts";

export type ListenerDeps = DecisionDeps & { rejections: OpenRejections; reviewerTokenSet: boolean };

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerApprove(app, deps);
  registerReject(app, deps);
  registerRejectReason(app, deps);
  registerAppHome(app, deps);
}
