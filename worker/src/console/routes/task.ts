// A task's page, the fragment its live script polls, and the Approve and Reject forms' post.
import { type Context, Hono } from "hono";
import { etag } from "hono/etag";
import type { DecisionOutcome } from "../../domain/decision.ts";
import { signPreviewUrl } from "../../domain/preview-url.ts";
import { TASK_ID_PATTERN } from "../../domain/task.ts";
import { taskNotFound } from "../../errors.ts";
import { decideTask } from "../../services/decide-task.ts";
import { reviewTask } from "../../services/reviews.ts";
import { readDecisionForm } from "../decision-form.ts";
import { errorMessage } from "../forms-view.ts";
import { shell } from "../layout.ts";
import { etagOf, fragment } from "../live.ts";
import type { ConsoleEnv } from "../session.ts";
import { describeDecision, type Notice, taskLive, taskPage, type TaskView } from "../task-view.ts";

const IMAGE_URL_LIFETIME_MS = 60 * 60 * 1000;

/** The id in the path; one that cannot be a task's is not found before anything is asked. */
function taskIdOf(c: Context<ConsoleEnv>): string {
  const taskId = c.req.param("id") ?? "";
  if (!TASK_ID_PATTERN.test(taskId)) throw taskNotFound();
  return taskId;
}

async function loadTask(c: Context<ConsoleEnv>, taskId: string): Promise<TaskView> {
  const now = Date.now();
  const found = await reviewTask(c.env, taskId, now);
  if (!found) throw taskNotFound();
  const origin = new URL(c.req.url).origin;
  const imageUrl = await signPreviewUrl(c.var.settings.decisionSecret, origin, taskId, new Date(now + IMAGE_URL_LIFETIME_MS));
  return { ...found, imageUrl };
}

async function renderTask(c: Context<ConsoleEnv>, taskId: string, notice: Notice, status: 200 | 400 | 409 = 200) {
  const view = await loadTask(c, taskId);
  const live = String(await taskLive(view));
  // A fresh decision id for each page: its forms sent twice are one decision.
  const form = { csrf: c.var.csrf, decisionId: crypto.randomUUID() };
  return c.html(shell(c, `Task ${taskId}`, taskPage(view, { markup: live, etag: await etagOf(live) }, form, notice)), status);
}

const notRecorded = (why: string): Notice => ({ kind: "error", text: `Your decision was not recorded: ${why}.` });

/** The one place a decision's outcome becomes HTML. */
function answerDecision(c: Context<ConsoleEnv>, taskId: string, outcome: DecisionOutcome) {
  switch (outcome.outcome) {
    case "decided":
      return c.redirect(`/console/tasks/${taskId}?done=${outcome.result.decision.decision}`, 303);
    case "already_decided":
      return renderTask(c, taskId, notRecorded(describeDecision(outcome.decision)), 409);
    case "expired":
      return renderTask(c, taskId, notRecorded("the review deadline passed first"), 409);
    case "withdrawn":
      return c.html(shell(c, "Not found", errorMessage("Not found", "The task was deleted, so its review is closed.")), 404);
    case "not_found":
      throw taskNotFound();
  }
}

export const task = new Hono<ConsoleEnv>();

task.get("/:id", async (c) => {
  const done = c.req.query("done");
  const notice: Notice = done === "approve" || done === "reject" ? { kind: "ok", text: `Your decision (${done}) was recorded.` } : null;
  return renderTask(c, taskIdOf(c), notice);
});

task.get("/:id/live", etag(), async (c) => fragment(c, String(await taskLive(await loadTask(c, taskIdOf(c))))));

task.post("/:id", async (c) => {
  const taskId = taskIdOf(c);
  const form = readDecisionForm(taskId, c.var.session, await c.req.parseBody());
  if (!form.ok) return renderTask(c, taskId, { kind: "error", text: form.problem }, 400);
  return answerDecision(c, taskId, await decideTask(c.env, form.request, new Date()));
});
