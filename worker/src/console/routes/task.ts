// A task's page, the fragment its live script polls, and the Approve and Reject forms' post.
import { type Context, Hono } from "hono";
import { etag } from "hono/etag";
import { decideTask } from "../../services/decide-task.ts";
import { answerDecision } from "../answer-decision.ts";
import { readDecisionForm } from "../decision-form.ts";
import { shell } from "../layout.ts";
import { etagOf, fragment } from "../live.ts";
import { loadTask, taskIdOf } from "../load-task.ts";
import type { ConsoleEnv } from "../session.ts";
import { type Notice, taskLive, taskPage } from "../task-view.ts";

async function renderTask(c: Context<ConsoleEnv>, taskId: string, notice: Notice, status: 200 | 400 | 409 = 200) {
  const view = await loadTask(c, taskId);
  const live = String(await taskLive(view));
  // A fresh decision id for each page: its forms sent twice are one decision.
  const form = { csrf: c.var.csrf, decisionId: crypto.randomUUID() };
  return c.html(shell(c, `Task ${taskId}`, taskPage(view, { markup: live, etag: await etagOf(live) }, form, notice)), status);
}

export const task = new Hono<ConsoleEnv>();

task.get("/:id", async (c) => {
  const done = c.req.query("done");
  const notice: Notice =
    done === "approve" || done === "reject"
      ? { kind: "ok", text: `Your decision (${done}) was recorded.` }
      : done === "counted"
        ? { kind: "ok", text: "Your approval was counted; the task waits for more." }
        : null;
  return renderTask(c, taskIdOf(c), notice);
});

task.get("/:id/live", etag(), async (c) => fragment(c, String(await taskLive(await loadTask(c, taskIdOf(c))))));

task.post("/:id", async (c) => {
  const taskId = taskIdOf(c);
  const form = readDecisionForm(taskId, c.var.session, await c.req.parseBody());
  if (!form.ok) return renderTask(c, taskId, { kind: "error", text: form.problem }, 400);
  return answerDecision(c, await decideTask(c.env, form.request, new Date()), {
    counted: (done) => `/console/tasks/${taskId}?done=${done}`,
    refused: (notice) => renderTask(c, taskId, notice, 409),
  });
});
