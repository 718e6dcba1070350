// A task's page: the image, its facts, a live status timeline and tags, and the Approve and Reject forms.
import { html } from "hono/html";
import type { ReviewStatus } from "../domain/review.ts";
import type { Decision, TaskRecord } from "../domain/task.ts";
import { factChips } from "./queue-view.ts";
import { when } from "./format.ts";
import type { Html } from "./layout.ts";

export type TaskView = { record: TaskRecord; review: ReviewStatus; imageUrl: string };
export type Notice = { kind: "ok" | "error"; text: string } | null;

export const describeDecision = (decision: Decision) =>
  `${decision.reviewer.name} ${decision.decision === "approve" ? "approved" : "rejected"} this task via ${decision.via} at ${when(decision.decidedAt)}` +
  (decision.reason ? ` (reason: ${decision.reason})` : "");

/** The part of the page that changes while the task moves on; the live script swaps it in place. */
export function taskLive({ record, review }: TaskView): Html {
  const { task } = record;
  // The gate knows of a decision before the task's workflow writes it to KV.
  const decision = task.decision ?? review.decision;
  const status = review.status === "pending" || review.status === "expired" || task.status === "pending" ? review.status : task.status;
  return html`<p>Status: <span class="status status-${status}" data-status="${status}">${status}</span></p>
<h2>Timeline</h2>
<ol class="timeline">
  <li>Created at ${when(task.createdAt)} by client ${record.clientId}</li>
  ${record.prescreen ? html`<li>Pre-screened${record.prescreen.unreadable ? html` (pixels unreadable: ${record.prescreen.unreadable})` : ""}</li>` : ""}
  ${decision ? html`<li data-decision>${describeDecision(decision)}</li>` : ""}
  ${status === "expired" ? html`<li>Expired at ${when(review.reviewDeadline)} with no decision</li>` : ""}
  ${task.status === "completed" ? html`<li>Tagged at ${when(task.updatedAt)}</li>` : ""}
  ${task.status === "failed" ? html`<li>Tagging failed</li>` : ""}
  ${task.callback.state === "none"
    ? html`<li>No callback URL</li>`
    : html`<li>Callback ${task.callback.state}, ${task.callback.attempts} attempt(s)${task.callback.lastError ? html`, last error: ${task.callback.lastError}` : ""}${task.callback.deliveredAt ? html`, delivered at ${when(task.callback.deliveredAt)}` : ""}</li>`}
</ol>
<h2>Tags</h2>
${task.tags === null
  ? html`<p>${status === "approved" ? "Tagging…" : status === "pending" ? "No tags yet." : "None: only approved images are tagged."}</p>`
  : html`<ul class="chips" data-tags>${task.tags.map((tag) => html`<li>${tag.label}${tag.count ? ` ×${tag.count}` : ""} <span class="visually-hidden">score</span>(${Math.round(tag.score * 100)}%)</li>`)}</ul>`}
${task.caption ? html`<p>Caption: ${task.caption}</p>` : ""}`;
}

export function taskPage(view: TaskView, csrf: string, liveEtag: string, notice: Notice): Html {
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
    <section aria-live="polite" data-live="/console/tasks/${task.taskId}/live" data-etag="${liveEtag}">${taskLive(view)}</section>
    ${view.review.status === "pending" ? decisionForms(task.taskId, csrf) : ""}
  </div>
</div>`;
}

// Only a pending task offers the forms; a page opened before someone else decided keeps them and shows who won.
const decisionForms = (taskId: string, csrf: string): Html => html`    <h2>Decide</h2>
    <div class="decide">
      <form method="post" action="/console/tasks/${taskId}">
        <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="decision" value="approve">
        <button type="submit">Approve</button>
      </form>
      <form method="post" action="/console/tasks/${taskId}" class="stack">
        <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="decision" value="reject">
        <label for="reason">Reason for rejecting (required, at most 500 characters)</label>
        <textarea id="reason" name="reason" rows="3" maxlength="500" required></textarea>
        <button type="submit" class="reject">Reject</button>
      </form>
    </div>`;
