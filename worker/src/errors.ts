// The one error type routes and middleware throw; onError renders it as the contract's envelope.
import type { ErrorBody } from "./domain/error-body.ts";

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500;

export class AppError extends Error {
  readonly status: ErrorStatus;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  /** Response headers the status calls for, such as Retry-After with 429. */
  readonly headers: Record<string, string>;

  constructor(status: ErrorStatus, code: string, message: string, details?: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(message);
    this.name = "AppError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const invalidRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError(400, "invalid_request", message, details);

export const taskNotFound = () => new AppError(404, "task_not_found", "No task with this id.");

/** 429 tells the client to slow down and Retry-After how long to wait, in seconds (RFC 6585 §4, RFC 9110 §10.2.3). */
export const tooManyAuthFailures = (retryAfterSeconds: number) =>
  new AppError(
    429,
    "too_many_auth_failures",
    `Too many failed authentication attempts from this address. Try again in ${retryAfterSeconds} seconds.`,
    { retryAfterSeconds },
    { "Retry-After": String(retryAfterSeconds) },
  );
