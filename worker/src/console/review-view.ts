// Review mode: one task large with its facts, its place in the queue, and the keys that decide and move on.
import { html, raw } from "hono/html";
import { MAX_REASON_LENGTH } from "../domain/task.ts";
import { age, timeLeft, when } from "./format.ts";
import { announcer, keysHelp } from "./keys-view.ts";
import type { Html } from "./layout.ts";
import { prescreenFacts } from "./queue-view.ts";
import type { DecisionFormFields, LiveRegion, Notice, TaskView } from "./task-view.ts";

/** Where the task sits among the oldest pending ones, and its neighbours there. */
export type QueuePlace = { position: number | null; waiting: number; more: boolean; previous: string | null; next: string | null };

const reviewUrl = (taskId: string) => `/console/review?task=${taskId}`;

export function reviewPage(view: TaskView, live: LiveRegion, place: QueuePlace, form: DecisionFormFields, notice: Notice): Html {
  const { task } = view.record;
  const pending = view.review.status === "pending";
  // The notice has no live role of its own: the script writes it into the announcer once the page has loaded.
  return html`<h1 id="review-heading" tabindex="-1">Review ${task.taskId}</h1>
${notice ? html`<p class="notice ${notice.kind === "error" ? "error" : ""}" data-notice>${notice.text}</p>` : ""}
${announcer}
<p>${place.position === null ? "Not among the oldest pending tasks." : `Task ${place.position} of ${place.waiting}${place.more ? "+" : ""} waiting, oldest first.`}</p>
<nav class="review-nav" aria-label="Review queue">
  ${place.previous ? html`<a href="${reviewUrl(place.previous)}" rel="prev" data-key="k" aria-keyshortcuts="k">Previous (k)</a>` : ""}
  ${place.next ? html`<a href="${reviewUrl(place.next)}" rel="next" data-key="j" aria-keyshortcuts="j">Next (j)</a>` : ""}
  <a href="/console/tasks/${task.taskId}">Task page</a>
  ${keysHelp([
    ["a", "Approve"],
    ["r", "Reject: asks for a reason; 1 to 5 pick a recent one"],
    ["j / k", "Next or previous task"],
  ])}
</nav>
<div class="review">
  <img src="${view.imageUrl}" alt="The image under review (${task.image.width}×${task.image.height})" width="${task.image.width}" height="${task.image.height}">
  <div>
    ${pending ? decisionControls(task.taskId, place.next, form) : html`<p class="notice">This task is no longer waiting for a decision.</p>`}
    <dl class="meta">
      <dt>Client</dt><dd>${view.record.clientId}</dd>
      <dt>Age</dt><dd>${age(task.createdAt, Date.now())}</dd>
      <dt>Time left</dt><dd>${timeLeft(task.reviewDeadline, Date.now())} (deadline ${when(task.reviewDeadline)})</dd>
      <dt>Image</dt><dd>${task.image.contentType}, ${task.image.width}×${task.image.height}, ${task.image.bytes} bytes</dd>
      <dt>Metadata</dt><dd><code>${JSON.stringify(task.metadata)}</code></dd>
    </dl>
    ${prescreenFacts(view.record.prescreen)}
    <section aria-live="polite" data-live="/console/tasks/${task.taskId}/live" data-etag="${live.etag}">${raw(live.markup)}</section>
  </div>
</div>`;
}

/**
 * Approve is one key; Reject opens a dialog for the reason (the button opens it with no script, command="show-modal").
 * Both forms name the next task, where a decision that counts goes on to.
 */
const decisionControls = (taskId: string, next: string | null, { csrf, decisionId }: DecisionFormFields): Html => {
  const hidden = html`<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="decisionId" value="${decisionId}"><input type="hidden" name="next" value="${next ?? ""}">`;
  return html`<div class="review-actions">
      <form method="post" action="/console/review/${taskId}">
        ${hidden}<input type="hidden" name="decision" value="approve">
        <button type="submit" data-key="a" aria-keyshortcuts="a">Approve (a)</button>
      </form>
      <button type="button" class="reject" commandfor="reject-dialog" command="show-modal" data-key="r" aria-keyshortcuts="r">Reject… (r)</button>
    </div>
    <dialog id="reject-dialog" aria-labelledby="reject-title">
      <form method="post" action="/console/review/${taskId}" class="stack" id="reject-form">
        ${hidden}<input type="hidden" name="decision" value="reject">
        <h2 id="reject-title">Reject ${taskId}</h2>
        <div data-recent-reasons></div>
        <label for="reason">Reason (required, at most ${MAX_REASON_LENGTH} characters; Ctrl+Enter rejects)</label>
        <textarea id="reason" name="reason" rows="3" maxlength="${MAX_REASON_LENGTH}" required data-ctrl-enter="reject-submit"></textarea>
        <button type="submit" class="reject" id="reject-submit">Reject</button>
        <button type="button" class="secondary" commandfor="reject-dialog" command="close">Cancel (Esc)</button>
      </form>
    </dialog>`;
};

export const nothingToReview = (notice: Notice): Html => html`<h1 id="review-heading" tabindex="-1">Review</h1>
${notice ? html`<p class="notice" data-notice>${notice.text}</p>` : ""}
${announcer}
<p>Nothing is waiting for review. <a href="/console">Back to the queue</a></p>`;
