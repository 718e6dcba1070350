// The MCP server behind /mcp: three tools over the calling client's own tasks. They go through the services the HTTP
// endpoints use, so an upload made here meets every check of POST /v1/tasks and leaves the same things behind.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Settings } from "../config.ts";
import { checkCallbackUrl } from "../domain/callback-url.ts";
import type { ErrorBody } from "../domain/error-body.ts";
import { ReviewPolicyInputSchema } from "../domain/policy.ts";
import { type Task, MetadataSchema, TaskSchema } from "../domain/task.ts";
import { IdempotencyKeySchema, parseMetadata } from "../domain/upload.ts";
import { AppError, invalidRequest, taskNotFound } from "../errors.ts";
import { createTask } from "../services/create-task.ts";
import { imageBytes, ImageInputSchema } from "./image-source.ts";
import { currentTask, waitForDecision } from "./task-view.ts";

const MAX_WAIT_SECONDS = 50;
const DEFAULT_WAIT_SECONDS = 30;

export type McpContext = { env: Env; settings: Settings; clientId: string };

const INSTRUCTIONS =
  "Greenlight puts images in front of human reviewers. Before you publish, send or post an image, call request_review with it, " +
  "then wait_for_decision with the taskId until its status is no longer pending. Use the image only when the status is approved " +
  "or completed; rejected means a reviewer refused it (decision.reason says why), expired that nobody decided in time.";

// MCP wants an output schema whose root is an object; TaskSchema's root is a reference to its registered id ("Task").
const TaskOutput = z.object(TaskSchema.shape);

const TaskIdSchema = z.string().max(100).meta({ description: "The taskId request_review returned: tsk_ followed by 32 hex digits." });

const RequestReviewInput = z.strictObject({
  image: ImageInputSchema,
  metadata: MetadataSchema.optional().meta({
    description: "Optional JSON object (at most 8 KiB) reviewers see beside the image, such as where it will be published.",
  }),
  policy: ReviewPolicyInputSchema.optional().meta({
    description:
      "Optional review policy: any of approvalsRequired, onDeadline, excludedReviewers, remindAfter, escalateAfter with escalateTo.",
  }),
  callbackUrl: z.string().optional().meta({
    description: "Optional https URL on a public host that receives a signed POST once the task reaches its final state.",
  }),
  idempotencyKey: IdempotencyKeySchema.optional().meta({
    description: "Optional key (1 to 255 characters): repeating a call with the same key and input within 24 hours returns the same task.",
  }),
});

export function greenlightMcpServer(context: McpContext): McpServer {
  const server = new McpServer({ name: "greenlight", version: "1.0.0" }, { instructions: INSTRUCTIONS });

  server.registerTool(
    "request_review",
    {
      title: "Ask a human to review an image",
      description:
        "Submit an image for human review before you use it. Give the image as base64 bytes or as an https URL that Greenlight " +
        "fetches. Answers at once with the new task (status pending, reviewDeadline, taskId); a reviewer decides later. Then call " +
        "wait_for_decision with the taskId. Pass an idempotencyKey so a retried call returns the same task instead of a second review.",
      inputSchema: RequestReviewInput,
      outputSchema: TaskOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (input) => answer("request_review", () => requestReview(context, input)),
  );

  server.registerTool(
    "get_review",
    {
      title: "Read a review task",
      description:
        "Read a review task you submitted, as it stands now: status (pending, approved, completed, failed, rejected or expired), " +
        "the reviewer's decision and reason, and tags once completed. Answers at once; to wait for the decision, call wait_for_decision.",
      inputSchema: z.strictObject({ taskId: TaskIdSchema }),
      outputSchema: TaskOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ taskId }) =>
      answer("get_review", async () => {
        const task = await currentTask(context.env, context.clientId, taskId);
        if (!task) throw taskNotFound();
        return taskResult(task, describeTask(task));
      }),
  );

  server.registerTool(
    "wait_for_decision",
    {
      title: "Wait for a reviewer's decision",
      description:
        `Wait up to timeoutSeconds (1 to ${MAX_WAIT_SECONDS}, default ${DEFAULT_WAIT_SECONDS}) for a human's decision on a review task ` +
        "you submitted. Returns as soon as the review has ended (status approved, completed, failed, rejected or expired), or with the " +
        "task still pending when the time is up: then call it again. A review can take minutes or hours, up to its reviewDeadline.",
      inputSchema: z.strictObject({
        taskId: TaskIdSchema,
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(MAX_WAIT_SECONDS)
          .default(DEFAULT_WAIT_SECONDS)
          .meta({
            description: `How long to wait at most, in whole seconds (1 to ${MAX_WAIT_SECONDS}).`,
          }),
      }),
      outputSchema: TaskOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ taskId, timeoutSeconds }) =>
      answer("wait_for_decision", async () => {
        const task = await waitForDecision(context.env, context.clientId, taskId, timeoutSeconds * 1000);
        if (!task) throw taskNotFound();
        const text =
          task.status === "pending"
            ? `Still pending after ${timeoutSeconds} s: no reviewer has decided yet (review deadline ${task.reviewDeadline}). Call wait_for_decision again to keep waiting.`
            : describeTask(task);
        return taskResult(task, text);
      }),
  );

  return server;
}

async function requestReview({ env, settings, clientId }: McpContext, input: z.infer<typeof RequestReviewInput>): Promise<CallToolResult> {
  // The cheap checks come first, so a refused call never fetches its image.
  const metadata = parseMetadata(input.metadata && JSON.stringify(input.metadata));
  if (!metadata.ok) throw invalidRequest(metadata.reason);
  let callbackUrl: string | null = null;
  if (input.callbackUrl) {
    const check = checkCallbackUrl(input.callbackUrl, { allowLoopback: settings.allowLoopbackCallbacks });
    if (!check.ok) throw new AppError(422, "invalid_callback_url", check.reason);
    callbackUrl = check.url.toString();
  }
  const bytes = await imageBytes(input.image, settings);
  const { record, replayed } = await createTask(
    env,
    settings,
    { clientId, bytes, callbackUrl, metadata: metadata.metadata, idempotencyKey: input.idempotencyKey ?? null, policy: input.policy },
    new Date(),
  );
  const { task } = record;
  const text = replayed
    ? `This idempotencyKey was used before: this is the task that call created, as it stands now. ${describeTask(task)}`
    : `Task ${task.taskId} is waiting for a reviewer until ${task.reviewDeadline}. Call wait_for_decision with this taskId for the decision.`;
  return taskResult(task, text);
}

/** What a task's status means, in one sentence for the agent. */
function describeTask(task: Task): string {
  const by = task.decision ? `${task.decision.reviewer.name}${task.decision.reason ? ` (reason: ${task.decision.reason})` : ""}` : "";
  switch (task.status) {
    case "pending":
      return `Task ${task.taskId} is pending: no reviewer has decided yet (review deadline ${task.reviewDeadline}).`;
    case "approved":
      return `Task ${task.taskId} was approved by ${by}; its tags are being added.`;
    case "completed":
      return `Task ${task.taskId} was approved by ${by} and tagged.`;
    case "failed":
      return `Task ${task.taskId} was approved by ${by}, but tagging it failed.`;
    case "rejected":
      return `Task ${task.taskId} was rejected by ${by}.`;
    case "expired":
      return `Task ${task.taskId} expired: nobody decided before ${task.reviewDeadline}.`;
  }
}

/** The task as structured content, and as text for clients that read only text (the MCP specification asks for both). */
const taskResult = (task: Task, text: string): CallToolResult => ({
  content: [
    { type: "text", text },
    { type: "text", text: JSON.stringify(task) },
  ],
  structuredContent: task,
});

const errorResult = (body: ErrorBody): CallToolResult => ({ content: [{ type: "text", text: JSON.stringify(body) }], isError: true });

/** Runs a tool: a refusal becomes a tool error carrying the contract's error envelope, never a protocol error or a 5xx. */
async function answer(tool: string, run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError) return errorResult(error.toBody());
    const failure = error instanceof Error ? error : new Error(String(error));
    console.error(JSON.stringify({ event: "unhandled_error", path: "/mcp", tool, error: String(failure), stack: failure.stack }));
    return errorResult({ error: { code: "internal_error", message: "Something went wrong on our side." } });
  }
}
