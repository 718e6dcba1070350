// A task's page: the image, its facts, a live status timeline and tags, and the Approve and Reject forms.
import { html, raw } from "hono/html";
import type { ReviewStatus } from "../domain/review.ts";
import type { ReviewStage } from "../domain/stages.ts";
import { type Decision, MAX_REASON_LENGTH, type TaskRecord } from "../domain/task.ts";
import { when } from "./format.ts";
import type { Html } from "./layout.ts";
import { factChips, stageMark } from "./queue-view.ts";

export type TaskView = { record: TaskRecord; review: ReviewStatus; imageUrl: string };
export type Notice = { kind: "ok" | "error"; text: string } | null;
/** The live region as first rendered, and its ETag, so the script's first poll is a 304. */
export type LiveRegion = { markup: string; etag: string };
/** What the decision forms carry: the session's CSRF token and this page's decision id. */
export type DecisionFormFields = { csrf: string; decisionId: string };

export const describeDecision = (decision: Decision) =>
  `${decision.reviewer.name} ${decision.decision === "approve" ? "approved" : "rejected"} this task via ${decision.via} at ${when(decision.decidedAt)}` +
  (decision.reason ? ` (reason: ${decision.reason})` : "");

/**
 * The part of the page that changes while the task moves on; the live script swaps it in place. Status and decision
 * come from the review, which has them from the gate the moment a decision wins, before the workflow writes the record.
 */
export function taskLive({ record, review }: TaskView): Html {
  const { task } = record;
  const { status, decision } = review;
  return html`<p>Status: <span class="status status-${status}" data-status="${status}">${status}</span></p>
${approvalsLine(review)}
${status === "pending" ? stageMark(review.stages) : ""}
<h2>Timeline</h2>
<ol class="timeline">
  <li>Created at ${when(task.createdAt)} by client ${record.clientId}</li>
  ${record.prescreen ? html`<li>Pre-screened${record.prescreen.unreadable ? html` (pixels unreadable: ${record.prescreen.unreadable})` : ""}</li>` : ""}
  ${review.stages.map((stage) => html`<li data-stage>${describeStage(stage)}</li>`)}
  ${decision ? html`<li data-decision>${describeDecision(decision)}</li>` : ""}
  ${status === "expired" ? html`<li>Expired at ${when(review.reviewDeadline)} with no decision</li>` : ""}
  ${task.status === "completed" ? html`<li>Tagged at ${when(task.updatedAt)}</li>` : ""}
  ${task.status === "failed" ? html`<li>Tagging failed</li>` : ""}
  ${
    task.callback.state === "none"
      ? html`<li>No callback URL</li>`
      : html`<li>Callback ${task.callback.state}, ${task.callback.attempts} attempt(s)${task.callback.lastError ? html`, last error: ${task.callback.lastError}` : ""}${task.callback.deliveredAt ? html`, delivered at ${when(task.callback.deliveredAt)}` : ""}</li>`
  }
</ol>
<h2>Tags</h2>
${
  task.tags === null
    ? html`<p>${status === "approved" ? "Tagging…" : status === "pending" ? "No tags yet." : "None: only approved images are tagged."}</p>`
    : html`<ul class="chips" data-tags>${task.tags.map((tag) => html`<li>${tag.label}${tag.count ? ` ×${tag.count}` : ""} <span class="visually-hidden">score</span>(${Math.round(tag.score * 100)}%)</li>`)}</ul>`
}
${task.caption ? html`<p>Caption: ${task.caption}</p>` : ""}`;
}

const describeStage = (stage: ReviewStage) =>
  `${stage.stage === "reminder" ? `Reminder ${stage.n}` : `Escalation to ${stage.escalateTo}`} came due at ${when(stage.dueAt)}, ` +
  (stage.confirmedAt ? `delivered at ${when(stage.confirmedAt)}` : "not delivered yet");

/** Under a quorum: how many approvals the task has of those it needs, and whose. */
const approvalsLine = ({ approvals, approvalsRequired }: ReviewStatus): Html | string =>
  approvalsRequired > 1
    ? html`<p data-approvals>${approvals.length} of ${approvalsRequired} approvals${approvals.length > 0 ? `: ${approvals.map((approval) => approval.reviewer.name).join(", ")}` : ""}</p>`
    : "";

export function taskPage(view: TaskView, live: LiveRegion, form: DecisionFormFields, notice: Notice): Html {
  const { task } = view.record;
  return html`<h1>Task ${task.taskId}</h1>
${notice ? html`<p class="notice ${notice.kind === "error" ? "error" : ""}" role="${notice.kind === "error" ? "alert" : "status"}">${notice.text}</p>` : ""}
<div class="task">
  <div>
    <img src="${view.imageUrl}" alt="The image under review (${task.image.width}×${task.image.height})" width="${task.image.width}" height="${task.image.height}">
    <dl class="meta">
      <dt>Image</dt><dd>${task.image.contentType}, ${task.image.width}×${task.image.height}, ${task.image.bytes} bytes</dd>
      <dt>Deadline</dt><dd>${when(task.reviewDeadline)}</dd>
      <dt>Metadata</dt><dd><code>${JSON.stringify(task.metadata)}</code></dd>
    </dl>
    ${factChips(view.record.prescreen?.facts.map((fact) => fact.label) ?? [])}
  </div>
  <div>
    <section aria-live="polite" data-live="/console/tasks/${task.taskId}/live" data-etag="${live.etag}">${raw(live.markup)}</section>
    ${view.review.status === "pending" ? decisionForms(task.taskId, form) : ""}
  </div>
</div>`;
}

// Only a pending task offers the forms; a page opened before someone else decided keeps them and shows who won.
const decisionForms = (taskId: string, { csrf, decisionId }: DecisionFormFields): Html => html`    <h2>Decide</h2>
    <div class="decide">
      <form method="post" action="/console/tasks/${taskId}">
        <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="decisionId" value="${decisionId}"><input type="hidden" name="decision" value="approve">
        <button type="submit">Approve</button>
      </form>
      <form method="post" action="/console/tasks/${taskId}" class="stack">
        <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="decisionId" value="${decisionId}"><input type="hidden" name="decision" value="reject">
        <label for="reason">Reason for rejecting (required, at most ${MAX_REASON_LENGTH} characters)</label>
        <textarea id="reason" name="reason" rows="3" maxlength="${MAX_REASON_LENGTH}" required></textarea>
        <button type="submit" class="reject">Reject</button>
      </form>
    </div>`;
