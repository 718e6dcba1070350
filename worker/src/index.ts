// The Worker's entry point: the HTTP app, the pre-screen queue's consumer, the retention sweep, the review Workflow and
// the Durable Object classes.
import { app } from "./app.ts";
import { consumePrescreens } from "./queues/prescreen-consumer.ts";
import { runRetentionSweep } from "./schedules/retention-sweep.ts";

export { ConsoleSessions } from "./objects/console-sessions.ts";
export { DecisionGate } from "./objects/decision-gate.ts";
export { IdempotencyLedger } from "./objects/idempotency-ledger.ts";
export { QueueMetrics } from "./objects/queue-metrics.ts";
export { ReviewWorkflow } from "./workflows/review-workflow.ts";

export default { fetch: app.fetch, queue: consumePrescreens, scheduled: runRetentionSweep } satisfies ExportedHandler<Env>;
