// A task's events: published as its record changes, and followed live by its client.
import { publishAtGate, subscribeAtGate } from "../adapters/decision-gate.ts";
import { eventsBetween, type StreamMessage, settledTask, type TaskEvent, type TaskEvents } from "../domain/task-events.ts";
import type { Task, TaskRecord } from "../domain/task.ts";

/** What one write of the record changed, as events; `prescreened` when the write stored the pre-screen. */
export const recordChangeEvents = (before: TaskRecord, after: TaskRecord, at: string, prescreened = false): TaskEvents => ({
  drafts: eventsBetween(before.task, after.task, prescreened),
  task: after.task,
  at,
});

/** Publishes what one write of the record changed. */
export async function publishRecordChange(env: Env, before: TaskRecord, after: TaskRecord, at: string): Promise<void> {
  await publishAtGate(env, after.task.taskId, recordChangeEvents(before, after, at));
}

/**
 * The task's events for one stream: from after `after` (a client resuming with Last-Event-ID), or, with null, a
 * `state` event with the task as its record has it now; then each change as it happens. It ends once the task has
 * settled (final, its callback done), when it is deleted, on `signal`, or if the log goes away.
 */
export async function* followTask(env: Env, task: Task, after: number | null, signal: AbortSignal): AsyncGenerator<TaskEvent> {
  const socket = await subscribeAtGate(env, task.taskId, after);
  const inbox: StreamMessage[][] = [];
  let wake: (() => void) | null = null;
  let open = true;
  const stop = () => {
    open = false;
    wake?.();
  };
  socket.addEventListener("message", (message) => {
    inbox.push(JSON.parse(String(message.data)) as StreamMessage[]);
    wake?.();
  });
  socket.addEventListener("close", stop);
  signal.addEventListener("abort", stop);
  try {
    while (open || inbox.length > 0) {
      const batch = inbox.shift();
      if (!batch) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        continue;
      }
      let settled = false;
      for (const message of batch) {
        if (message.type === "sync") {
          // An empty backlog ends the stream only if both say so: the record can be ahead of the log (a write whose
          // events are on their way), and the log ahead of the record (a retry just granted).
          settled ||= message.settled && settledTask(task);
          continue;
        }
        const event = message.type === "state" ? { ...message, task } : message;
        yield event;
        settled = event.type === "deleted" || (event.task !== null && settledTask(event.task));
      }
      // Judged on the whole batch: a backlog's settled event may be followed by a retry's, and one write's events
      // (tagged, then completed) come together.
      if (settled) return;
    }
  } finally {
    signal.removeEventListener("abort", stop);
    socket.close(1000, "done");
  }
}
