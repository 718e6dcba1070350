// What a decision's outcome says in the console: one wording for the task page, review mode and bulk decisions.
import type { Context } from "hono";
import type { DecisionOutcome } from "../domain/decision.ts";
import { taskNotFound } from "../errors.ts";
import { errorMessage } from "./forms-view.ts";
import { shell } from "./layout.ts";
import type { ConsoleEnv } from "./session.ts";
import { describeDecision, type Notice } from "./task-view.ts";

type Refusal = Exclude<DecisionOutcome, { outcome: "decided" | "approval_counted" }>;

/** What a decision that counted did: decided the task, or added an approval to a quorum not yet reached. */
export type Done = "approve" | "reject" | "counted";

export const DONE_TEXT: Record<Done, string> = {
  approve: "approved",
  reject: "rejected",
  counted: "added your approval to",
};

/** Why a decision did not count, as the end of "Your decision was not recorded: …". */
export function whyNotRecorded(outcome: Refusal): string {
  switch (outcome.outcome) {
    case "already_decided":
      return describeDecision(outcome.decision);
    case "expired":
      return "the review deadline passed first";
    case "excluded":
      return "this task's review policy does not let you approve it";
    case "withdrawn":
      return "the task was deleted, so its review is closed";
    case "not_found":
      return "there is no such task";
  }
}

/** Where a page sends a decision that counted, and how it shows one that was refused. */
export type DecisionPage = {
  counted: (done: Done) => string;
  refused: (notice: Notice) => Response | Promise<Response>;
};

/** One decision from a page's form: one that counted redirects (so a reload sends nothing), a refusal stays and says why. */
export function answerDecision(c: Context<ConsoleEnv>, outcome: DecisionOutcome, page: DecisionPage) {
  switch (outcome.outcome) {
    case "decided":
      return c.redirect(page.counted(outcome.result.decision.decision), 303);
    case "approval_counted":
      return c.redirect(page.counted("counted"), 303);
    case "already_decided":
    case "expired":
    case "excluded":
      return page.refused({ kind: "error", text: `Your decision was not recorded: ${whyNotRecorded(outcome)}.` });
    case "withdrawn":
      return c.html(shell(c, "Not found", errorMessage("Not found", "The task was deleted, so its review is closed.")), 404);
    case "not_found":
      throw taskNotFound();
  }
}
