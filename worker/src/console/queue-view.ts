// The pending queue: one row per task, oldest first, with its thumbnail and pre-screen facts, and a box to select it.
import { html } from "hono/html";
import type { Prescreen } from "../domain/prescreen.ts";
import type { ReviewItem } from "../domain/review.ts";
import type { ReviewStage } from "../domain/stages.ts";
import { age, timeLeft, when } from "./format.ts";
import type { Html } from "./layout.ts";

// The boxes belong to the bulk form outside the live region (form="bulk"), so a swapped list keeps the form intact.
export function queueList(items: ReviewItem[], now: number): Html {
  if (items.length === 0) return html`<p>Nothing is waiting for review.</p>`;
  return html`<ul class="queue">
${items.map(
  (item) => html`<li data-task="${item.taskId}">
  <input type="checkbox" name="task" value="${item.taskId}" form="bulk" aria-label="Select ${item.taskId}">
  <img src="${item.image.previewUrl}" alt="Thumbnail of ${item.taskId}" width="96" height="96" loading="lazy">
  <div>
    <a href="/console/tasks/${item.taskId}">${item.taskId}</a>
    <dl class="meta">
      <dt>Client</dt><dd>${item.client}</dd>
      <dt>Age</dt><dd>${age(item.createdAt, now)}</dd>
      <dt>Deadline</dt><dd>${timeLeft(item.reviewDeadline, now)}</dd>
      <dt>Image</dt><dd>${item.image.contentType}, ${item.image.width}×${item.image.height}</dd>
    </dl>
    ${stageMark(item.stages)}
    ${prescreenFacts(item.prescreen)}
  </div>
</li>`,
)}
</ul>`;
}

export const factChips = (labels: string[]): Html =>
  labels.length === 0
    ? html``
    : html`<ul class="chips" aria-label="Pre-screen facts">${labels.map((label) => html`<li>${label}</li>`)}</ul>`;

/** The pre-screen's facts as chips, and links to the earlier uploads this image looks like. */
export const prescreenFacts = (prescreen: Prescreen | null): Html => html`${factChips(prescreen?.facts.map((fact) => fact.label) ?? [])}
    ${prescreen && prescreen.nearDuplicates.length > 0 ? html`<p>Looks like ${prescreen.nearDuplicates.map((d) => html`<a href="/console/tasks/${d.taskId}">${d.taskId.slice(0, 12)}…</a> `)}</p>` : ""}`;

/**
 * How far past its policy's patience a pending task is: escalated once the escalation came due, otherwise overdue
 * once a reminder did. Nothing for a task within its policy's time.
 */
export function stageMark(stages: Omit<ReviewStage, "confirmedAt">[]): Html | string {
  const escalation = stages.find((stage) => stage.stage === "escalation");
  if (escalation) {
    return html`<p class="mark mark-escalated" data-stage="escalation">Escalated to ${escalation.escalateTo} at ${when(escalation.dueAt)}</p>`;
  }
  const reminder = stages.findLast((stage) => stage.stage === "reminder");
  return reminder
    ? html`<p class="mark mark-overdue" data-stage="reminder-${reminder.n}">Overdue: reminder ${reminder.n} came due at ${when(reminder.dueAt)}</p>`
    : "";
}
