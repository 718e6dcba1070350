// The one error type routes and middleware throw; onError renders it as the contract's envelope.

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500;

export class AppError extends Error {
  readonly status: ErrorStatus;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: ErrorStatus, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

export const invalidRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError(400, "invalid_request", message, details);

export const taskNotFound = () => new AppError(404, "task_not_found", "No task with this id.");
