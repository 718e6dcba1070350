// The contract's main shapes by name: aliases of the types generated from the OpenAPI document.
import type { components } from "./schema.d.ts";

type Schemas = components["schemas"];

export type Task = Schemas["Task"];
export type TaskStatus = Task["status"];
export type ReviewPolicy = NonNullable<Task["policy"]>;
export type Tag = Schemas["Tag"];
export type DeliveryAttempt = Schemas["DeliveryAttempt"];
export type ReviewItem = Schemas["ReviewItem"];
export type ReviewStatus = Schemas["ReviewStatus"];
export type Decision = Schemas["Decision"];
export type DecisionResult = Schemas["DecisionResult"];
/** An approval counted towards a quorum not yet reached: the task is still pending. */
export type ApprovalProgress = Schemas["ApprovalProgress"];
export type ErrorBody = Schemas["Error"];
/** One change of a task, as GET /v1/tasks/:id/events sends it. */
export type TaskEvent = Schemas["TaskEvent"];
