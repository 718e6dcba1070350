// A task's event log, which its DecisionGate keeps (objects/event-log.ts): publishing to it, and following it live.
import type { TaskEvents } from "../domain/task-events.ts";
import { streamUrl } from "../objects/event-log.ts";

type EventsEnv = Pick<Env, "DECISIONS">;

const gate = (env: EventsEnv, taskId: string) => env.DECISIONS.get(env.DECISIONS.idFromName(taskId));

export async function publishTaskEvents(env: EventsEnv, taskId: string, events: TaskEvents): Promise<void> {
  if (events.drafts.length > 0) await gate(env, taskId).publishEvents(events);
}

/** A socket that receives the task's events as JSON batches, from after `after` or, with null, from its state now. */
export async function subscribeTaskEvents(env: EventsEnv, taskId: string, after: number | null): Promise<WebSocket> {
  const response = await gate(env, taskId).fetch(streamUrl(after), { headers: { upgrade: "websocket" } });
  const socket = response.webSocket;
  if (!socket) throw new Error(`The event log of ${taskId} answered ${response.status} without a WebSocket`);
  socket.accept();
  return socket;
}
