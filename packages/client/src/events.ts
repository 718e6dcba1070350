// GET /v1/tasks/:id/events read as an async iterable: the task's changes as they happen.
import { EventSourceParserStream } from "eventsource-parser/stream";
import { GreenlightError } from "./errors.ts";
import type { GreenlightApi } from "./client.ts";
import type { TaskEvent } from "./types.ts";

export type WatchOptions = {
  /** The id of the last event already seen: the stream resumes after it (Last-Event-ID). */
  lastEventId?: number;
  /** Ends the stream (and the iteration) early. */
  signal?: AbortSignal;
};

/** An event and its id, the id to resume after. */
export type TaskEventWithId = TaskEvent & { id: number };

/**
 * One connection to the task's event stream: a `state` event first (unless resuming), then each change, until the
 * task has settled or is deleted. Throws GreenlightError when Greenlight refuses the stream (401, 404, ...).
 */
export async function* watchTaskEvents(api: GreenlightApi, taskId: string, options: WatchOptions = {}): AsyncGenerator<TaskEventWithId> {
  const { lastEventId, signal } = options;
  const { error, response } = await api.GET("/v1/tasks/{id}/events", {
    params: { path: { id: taskId }, header: { "last-event-id": lastEventId === undefined ? undefined : String(lastEventId) } },
    parseAs: "stream",
    signal,
  });
  if (response.status !== 200 || !response.body) throw new GreenlightError(`GET /v1/tasks/${taskId}/events`, response, error);
  const reader = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield { ...(JSON.parse(value.data) as TaskEvent), id: Number(value.id) };
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
