// Bulk mode on the queue page: the form the selected rows belong to, and the per-task results of a bulk decision.
import { html } from "hono/html";
import type { DecisionOutcome } from "../domain/decision.ts";
import { MAX_REASON_LENGTH } from "../domain/task.ts";
import { DONE_TEXT, whyNotRecorded } from "./answer-decision.ts";
import { keysHelp } from "./keys-view.ts";
import type { Html } from "./layout.ts";
import type { DecisionFormFields } from "./task-view.ts";

/** How long the script holds a bulk decision before it sends it, so Undo can still take it back. */
export const BULK_UNDO_SECONDS = 5;

export const bulkForm = ({
  csrf,
  decisionId,
}: DecisionFormFields): Html => html`<form id="bulk" method="post" action="/console/bulk" class="bulk" data-undo-seconds="${BULK_UNDO_SECONDS}">
  <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="decisionId" value="${decisionId}">
  <p><span data-selected-count>No tasks selected.</span> Each selected task gets its own decision; you have ${BULK_UNDO_SECONDS} seconds to undo before anything is sent.</p>
  <div class="bulk-actions">
    <button type="submit" name="decision" value="approve" data-key="a" aria-keyshortcuts="a">Approve selected</button>
    <label for="bulk-reason">Reason for rejecting the selected tasks</label>
    <textarea id="bulk-reason" name="reason" rows="1" maxlength="${MAX_REASON_LENGTH}" data-key="r" aria-keyshortcuts="r" data-ctrl-enter="bulk-reject"></textarea>
    <button type="submit" name="decision" value="reject" class="reject" id="bulk-reject">Reject selected</button>
    ${keysHelp([
      ["j / k", "Next or previous task"],
      ["x", "Select or unselect the task"],
      ["X", "Select every task from the last one you picked to this one"],
      ["a", "Approve the selected tasks"],
      ["r", "Write the reason to reject them; Ctrl+Enter rejects"],
      ["u", "Undo, while the countdown runs"],
    ])}
  </div>
  <div id="bulk-status" class="bulk-status"></div>
</form>`;

export type BulkResult = { taskId: string; outcome: DecisionOutcome };

/** One task's line: what the decision did there, or why it did not count. */
function outcomeLine(outcome: DecisionOutcome): string {
  switch (outcome.outcome) {
    case "decided":
      return `you ${DONE_TEXT[outcome.result.decision.decision]} it`;
    case "approval_counted":
      return `your approval counted: ${outcome.progress.approvals.length} of ${outcome.progress.approvalsRequired} approvals`;
    default:
      return `not recorded: ${whyNotRecorded(outcome)}`;
  }
}

/** What happened to each task; data-outcome carries the outcome for the script and the tests. */
export function bulkResults(results: BulkResult[]): Html {
  const recorded = results.filter(({ outcome }) => outcome.outcome === "decided" || outcome.outcome === "approval_counted").length;
  return html`<section id="bulk-results" aria-labelledby="bulk-results-title">
  <h2 id="bulk-results-title" tabindex="-1">${recorded} of ${results.length} recorded</h2>
  <ul class="results">
${results.map(
  ({ taskId, outcome }) =>
    html`    <li data-task="${taskId}" data-outcome="${outcome.outcome}"><a href="/console/tasks/${taskId}">${taskId}</a>: ${outcomeLine(outcome)}</li>`,
)}
  </ul>
</section>`;
}
