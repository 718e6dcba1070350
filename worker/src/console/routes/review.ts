// Review mode: the oldest pending tasks one at a time, decided from the keyboard through the task page's decision path.
import { type Context, Hono } from "hono";
import { TASK_ID_PATTERN } from "../../domain/task.ts";
import { taskNotFound } from "../../errors.ts";
import { decideTask } from "../../services/decide-task.ts";
import { listReviews } from "../../services/reviews.ts";
import { answerDecision, DONE_TEXT, type Done } from "../answer-decision.ts";
import { readDecisionForm } from "../decision-form.ts";
import { shell } from "../layout.ts";
import { etagOf } from "../live.ts";
import { loadTask, taskIdOf } from "../load-task.ts";
import { nothingToReview, type QueuePlace, reviewPage } from "../review-view.ts";
import type { ConsoleEnv } from "../session.ts";
import { type Notice, taskLive, type TaskView } from "../task-view.ts";

/**
 * Review mode walks the oldest pending tasks, one listing page of them. A decided task leaves the queue, so the window
 * moves on as the reviewer decides; only skipping more than this many stops at its end.
 */
const REVIEW_WINDOW = 50;

const taskIdOrNull = (value: unknown) => (typeof value === "string" && TASK_ID_PATTERN.test(value) ? value : null);

async function renderReview(c: Context<ConsoleEnv>, requested: string | null, notice: Notice, status: 200 | 400 | 409 = 200) {
  const { items, nextCursor } = await listReviews(c.env, c.var.settings, new URL(c.req.url).origin, REVIEW_WINDOW);
  const waiting = items.map((item) => item.taskId);
  const view = requested ? await loadTask(c, requested) : await oldestPending(c, waiting);
  if (!view) return c.html(shell(c, "Review", nothingToReview(notice)), status);
  const taskId = view.record.task.taskId;
  const at = waiting.indexOf(taskId);
  // A task no longer in the window (decided a moment ago) is at -1, so it goes on to the oldest one still waiting.
  const place: QueuePlace = {
    position: at === -1 ? null : at + 1,
    waiting: waiting.length,
    more: nextCursor !== null,
    previous: waiting[at - 1] ?? null,
    next: waiting[at + 1] ?? null,
  };
  const live = String(await taskLive(view));
  // A fresh decision id for each render: its forms sent twice are one decision.
  const form = { csrf: c.var.csrf, decisionId: crypto.randomUUID() };
  return c.html(shell(c, `Review ${taskId}`, reviewPage(view, { markup: live, etag: await etagOf(live) }, place, form, notice)), status);
}

/** The first listed task its gate still holds open: the listing can lag a decision by a moment. */
async function oldestPending(c: Context<ConsoleEnv>, waiting: string[]): Promise<TaskView | null> {
  for (const taskId of waiting) {
    const view = await loadTask(c, taskId);
    if (view.review.status === "pending") return view;
  }
  return null;
}

/** What the last decision did, from the redirect that followed it. */
function doneNotice(done: string | undefined, decided: string | null): Notice {
  if (!decided || !done || !Object.hasOwn(DONE_TEXT, done)) return null;
  return { kind: "ok", text: `You ${DONE_TEXT[done as Done]} ${decided}.` };
}

export const review = new Hono<ConsoleEnv>();

review.get("/", (c) => {
  const requested = c.req.query("task");
  if (requested !== undefined && !taskIdOrNull(requested)) throw taskNotFound();
  return renderReview(c, requested ?? null, doneNotice(c.req.query("done"), taskIdOrNull(c.req.query("decided"))));
});

review.post("/:id", async (c) => {
  const taskId = taskIdOf(c);
  const body = await c.req.parseBody();
  const form = readDecisionForm(taskId, c.var.session, body);
  if (!form.ok) return renderReview(c, taskId, { kind: "error", text: form.problem }, 400);
  const next = taskIdOrNull(body.next);
  return answerDecision(c, await decideTask(c.env, form.request, new Date()), {
    counted: (done) => `/console/review?${next ? `task=${next}&` : ""}done=${done}&decided=${taskId}`,
    refused: (notice) => renderReview(c, taskId, notice, 409),
  });
});
