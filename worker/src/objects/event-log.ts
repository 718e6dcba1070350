// A task's event log and the live streams that follow it, kept inside the task's DecisionGate: every task has that
// object already, so the log costs no object of its own. A stream reaches it as a WebSocket from the Worker's SSE
// handler, accepted for hibernation, so a stream that waits for hours keeps no instance in memory.
import { type StreamMessage, settledTask, type TaskEvent, type TaskEventDraft } from "../domain/task-events.ts";
import type { Task } from "../domain/task.ts";

type Log = { events: TaskEvent[]; keys: string[]; snapshot: Task | null };

const LOG_KEY = "events";
// What a stream asks for: `after=<id>` resumes after that event; none opens with the task as it stands.
const AFTER_PARAM = "after";

export const streamUrl = (after: number | null) => `https://task-events/stream${after === null ? "" : `?${AFTER_PARAM}=${after}`}`;

export class EventLog {
  readonly #ctx: DurableObjectState;

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx;
  }

  private read(): Log {
    return this.#ctx.storage.kv.get<Log>(LOG_KEY) ?? { events: [], keys: [], snapshot: null };
  }

  /**
   * Appends the drafts the log does not have yet, numbered in order, and sends them to every open stream. `task` is
   * the task after the change; null keeps the last one (a stage of the review knows no record).
   */
  publish(drafts: TaskEventDraft[], task: Task | null, at: string): void {
    const log = this.read();
    const fresh = drafts.filter((draft) => !log.keys.includes(draft.key));
    if (fresh.length === 0) return;
    const snapshot = task ?? log.snapshot;
    let id = log.events.at(-1)?.id ?? 0;
    const added: TaskEvent[] = fresh.map((draft) => ({
      id: ++id,
      type: draft.type,
      at,
      task: snapshot,
      ...(draft.stage && { stage: draft.stage }),
    }));
    this.#ctx.storage.kv.put(LOG_KEY, {
      events: [...log.events, ...added],
      keys: [...log.keys, ...fresh.map((draft) => draft.key)],
      snapshot,
    });
    // One message per write: a stream judges whether the task has settled on the whole of it.
    for (const socket of this.#ctx.getWebSockets()) socket.send(JSON.stringify(added));
  }

  /** The task was deleted: its streams hear so and end, and the log goes with it. */
  forget(at: string): void {
    const deleted: TaskEvent = { id: (this.read().events.at(-1)?.id ?? 0) + 1, type: "deleted", at, task: null };
    for (const socket of this.#ctx.getWebSockets()) {
      socket.send(JSON.stringify([deleted]));
      socket.close(1000, "deleted");
    }
    this.#ctx.storage.kv.delete(LOG_KEY);
  }

  /**
   * A stream: the events after `after`, or, for a new stream, a `state` event naming the last id (the Worker fills in
   * the task from its record); then `sync`; then every new event. Reading the log and accepting the socket happen in
   * one turn, so no event falls between the two.
   */
  open(request: Request): Response {
    if (request.headers.get("upgrade") !== "websocket") return new Response("Expected a WebSocket upgrade.", { status: 426 });
    const after = new URL(request.url).searchParams.get(AFTER_PARAM);
    const { events, snapshot } = this.read();
    const lastId = events.at(-1)?.id ?? 0;
    const { 0: client, 1: server } = new WebSocketPair();
    this.#ctx.acceptWebSocket(server);
    const backlog: StreamMessage[] =
      after === null
        ? [{ id: lastId, type: "state", at: new Date().toISOString(), task: null }]
        : events.filter((event) => event.id > Number(after));
    backlog.push({ type: "sync", id: lastId, settled: snapshot !== null && settledTask(snapshot) });
    server.send(JSON.stringify(backlog));
    return new Response(null, { status: 101, webSocket: client });
  }
}
