// A task as a console page shows it: its record, how its review stands, and a signed URL for the full image.
import type { Context } from "hono";
import { signPreviewUrl } from "../domain/preview-url.ts";
import { TASK_ID_PATTERN } from "../domain/task.ts";
import { taskNotFound } from "../errors.ts";
import { reviewTask } from "../services/reviews.ts";
import type { ConsoleEnv } from "./session.ts";
import type { TaskView } from "./task-view.ts";

const IMAGE_URL_LIFETIME_MS = 60 * 60 * 1000;

/** The id in the path; one that cannot be a task's is not found before anything is asked. */
export function taskIdOf(c: Context<ConsoleEnv>): string {
  const taskId = c.req.param("id") ?? "";
  if (!TASK_ID_PATTERN.test(taskId)) throw taskNotFound();
  return taskId;
}

export async function loadTask(c: Context<ConsoleEnv>, taskId: string): Promise<TaskView> {
  const now = Date.now();
  const found = await reviewTask(c.env, taskId, now);
  if (!found) throw taskNotFound();
  const origin = new URL(c.req.url).origin;
  const imageUrl = await signPreviewUrl(c.var.settings.decisionSecret, origin, taskId, new Date(now + IMAGE_URL_LIFETIME_MS));
  return { ...found, imageUrl };
}
