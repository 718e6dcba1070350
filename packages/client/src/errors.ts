// What the client throws: an answer outside 2xx with the contract's error envelope, or a wait that ran out of time.
import type { ErrorBody, Task } from "./types.ts";

/** An answer outside 2xx. `body` is the contract's `{error: {code, message, details?}}` whenever the answer carried it. */
export class GreenlightError extends Error {
  readonly status: number;
  readonly body: ErrorBody | undefined;

  constructor(request: string, response: Response, body: unknown) {
    const envelope = isErrorBody(body) ? body : undefined;
    super(`${request} answered ${response.status}${envelope ? ` ${envelope.error.code}: ${envelope.error.message}` : ""}`);
    this.name = "GreenlightError";
    this.status = response.status;
    this.body = envelope;
  }

  /** The contract's error code (`task_not_found`, `already_decided`...), when the answer had one. */
  get code(): string | undefined {
    return this.body?.error.code;
  }
}

/** A wait for a task's state that ran out of time; `task` is the last state seen, if any. */
export class WaitTimeout extends Error {
  readonly task: Task | undefined;

  constructor(message: string, task: Task | undefined) {
    super(message);
    this.name = "WaitTimeout";
    this.task = task;
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === "string" && typeof error.message === "string";
}
