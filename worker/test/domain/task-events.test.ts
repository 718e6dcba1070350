// Which events one write of a task's record makes: each change once, under the run it belongs to.
import { describe, expect, it } from "vitest";
import { eventsBetween, settledTask } from "../../src/domain/task-events.ts";
import type { Task } from "../../src/domain/task.ts";

const pending: Task = {
  taskId: "tsk_0123456789abcdef0123456789abcdef",
  status: "pending",
  createdAt: "2026-12-03T10:00:00.000Z",
  updatedAt: "2026-12-03T10:00:00.000Z",
  reviewDeadline: "2026-12-04T10:00:00.000Z",
  image: { contentType: "image/png", bytes: 10, sha256: "0".repeat(64), width: 2, height: 2 },
  metadata: {},
  decision: null,
  tags: null,
  caption: null,
  callback: { url: "https://example.com/hook", state: "pending", attempts: 0, lastError: null, deliveredAt: null },
  links: { self: "/v1/tasks/tsk_0123456789abcdef0123456789abcdef", image: "/v1/tasks/tsk_0123456789abcdef0123456789abcdef/image" },
};
const decision = {
  decision: "approve" as const,
  reviewer: { id: "U1", name: "ada" },
  reason: null,
  decidedAt: pending.updatedAt,
  via: "console",
};
const approved: Task = { ...pending, status: "approved", decision };
const completed: Task = { ...approved, status: "completed", tags: [{ label: "red", score: 1, source: "colour" }] };
const delivered: Task = { ...completed, callback: { ...completed.callback, state: "delivered", attempts: 1 } };
const types = (before: Task, after: Task, prescreened = false) => eventsBetween(before, after, prescreened).map((event) => event.key);

describe("eventsBetween", () => {
  it("makes prescreened, and queued while the task is pending, for the pre-screen's write", () => {
    expect(types(pending, pending, true)).toEqual(["prescreened:0", "queued:0"]);
    expect(types(approved, approved, true)).toEqual(["prescreened:0"]);
  });

  it("makes decided, then tagged and completed from one write, then the callback's outcome", () => {
    expect(types(pending, approved)).toEqual(["decided:0"]);
    expect(types(approved, completed)).toEqual(["tagged:0", "completed:0"]);
    expect(types(completed, delivered)).toEqual(["callback.delivered:0"]);
    expect(types(completed, { ...completed, callback: { ...completed.callback, state: "failed" } })).toEqual(["callback.failed:0"]);
  });

  it("makes expired, and nothing for a write that changes nothing a client follows", () => {
    expect(types(pending, { ...pending, status: "expired" })).toEqual(["expired:0"]);
    expect(types(completed, { ...completed, callback: { ...completed.callback, attempts: 2, lastError: "HTTP 500" } })).toEqual([]);
  });

  it("counts a retry's events under its own run, so they are not taken for the first run's", () => {
    const failed: Task = { ...approved, status: "failed", callback: { ...approved.callback, state: "delivered" } };
    const retried: Task = { ...failed, status: "approved", retries: 1, callback: { ...failed.callback, state: "pending" } };
    expect(types(failed, retried)).toEqual(["retried:1"]);
    expect(types(retried, { ...retried, status: "completed", tags: completed.tags })).toEqual(["tagged:1", "completed:1"]);
  });

  it("calls a task settled once it is final and its callback is no longer pending", () => {
    expect([pending, approved, completed, delivered].map(settledTask)).toEqual([false, false, false, true]);
    expect(settledTask({ ...completed, callback: { ...completed.callback, url: null, state: "none" } })).toBe(true);
  });
});
