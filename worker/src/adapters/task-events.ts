// The TASK_EVENTS Durable Object namespace: one event log per task, by task id.
import type { TaskEventDraft } from "../domain/task-events.ts";
import type { Task } from "../domain/task.ts";
import { streamUrl, type TaskEvents } from "../objects/task-events.ts";

type EventsEnv = Pick<Env, "TASK_EVENTS">;

const log = (env: EventsEnv, taskId: string): DurableObjectStub<TaskEvents> => env.TASK_EVENTS.get(env.TASK_EVENTS.idFromName(taskId));

export async function publishTaskEvents(
  env: EventsEnv,
  taskId: string,
  drafts: TaskEventDraft[],
  task: Task | null,
  at: string,
): Promise<void> {
  if (drafts.length > 0) await log(env, taskId).publish(drafts, task, at);
}

export async function forgetTaskEvents(env: EventsEnv, taskId: string, at: string): Promise<void> {
  await log(env, taskId).forget(at);
}

/** A socket that receives the task's events as JSON text, from after `after` or, with null, from its state now. */
export async function subscribeTaskEvents(env: EventsEnv, taskId: string, after: number | null): Promise<WebSocket> {
  const response = await log(env, taskId).fetch(streamUrl(after), { headers: { upgrade: "websocket" } });
  const socket = response.webSocket;
  if (!socket) throw new Error(`The event log of ${taskId} answered ${response.status} without a WebSocket`);
  socket.accept();
  return socket;
}
