// Block, action and view ids: the approve/reject ids are shared with the n8n flows and must not change.
export const DECISION_BLOCK = "greenlight_decision";
export const APPROVE_ACTION = "greenlight_approve";
export const REJECT_ACTION = "greenlight_reject";
export const OUTCOME_BLOCK = "greenlight_outcome";
/** The approval count of a task whose policy needs more than one, above the buttons. */
export const APPROVALS_BLOCK = "greenlight_approvals";

export const REJECT_VIEW = "greenlight_reject_reason";
export const REASON_BLOCK = "reason";
export const REASON_INPUT = "reason";

export const HOME_REFRESH_ACTION = "greenlight_home_refresh";
