// A bulk decision from the queue page: the same decision for several tasks, each still its own decision at its gate.
import { Hono } from "hono";
import { html } from "hono/html";
import type { DecisionRequest } from "../../domain/decision.ts";
import { TASK_ID_PATTERN } from "../../domain/task.ts";
import { decideTask } from "../../services/decide-task.ts";
import { bulkResults } from "../bulk-view.ts";
import { readDecisionForm } from "../decision-form.ts";
import { errorMessage } from "../forms-view.ts";
import { shell } from "../layout.ts";
import type { ConsoleEnv } from "../session.ts";
import { QUEUE_PAGE } from "./queue.ts";

export const bulk = new Hono<ConsoleEnv>();

bulk.post("/", async (c) => {
  const body = await c.req.parseBody({ all: true });
  const refuse = (message: string) => c.html(shell(c, "Not decided", errorMessage("Nothing was decided", message)), 400);
  // A task named twice is one decision.
  const taskIds = [...new Set([body.task ?? []].flat())];
  if (taskIds.length === 0) return refuse("Select at least one task.");
  if (taskIds.length > QUEUE_PAGE) return refuse(`Select at most ${QUEUE_PAGE} tasks, one page of the queue.`);
  const fields = { decision: [body.decision].flat()[0], reason: [body.reason].flat()[0], decisionId: [body.decisionId].flat()[0] };
  // Every task's request is read before any gate is asked, so a bad form decides nothing.
  const requests: DecisionRequest[] = [];
  for (const taskId of taskIds) {
    if (typeof taskId !== "string" || !TASK_ID_PATTERN.test(taskId)) return refuse("That is not a task id.");
    const form = readDecisionForm(taskId, c.var.session, fields);
    if (!form.ok) return refuse(form.problem);
    requests.push(form.request);
  }
  // One decision id for the whole form: each task's gate sees it once, and the same form sent again is a replay at each.
  const now = new Date();
  const results = await Promise.all(
    requests.map(async (request) => ({ taskId: request.taskId, outcome: await decideTask(c.env, request, now) })),
  );
  return c.html(
    shell(c, "Bulk decision", html`<h1>Bulk decision</h1>${bulkResults(results)}<p><a href="/console">Back to the queue</a></p>`),
  );
});
