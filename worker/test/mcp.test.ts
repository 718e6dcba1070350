// The MCP server at /mcp, driven by the official SDK's own client through the real Worker: tools, auth, refusals.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/app.ts";
import type { Task } from "../src/domain/task.ts";
import { api, CLIENT_KEY, createTask, decide, decisionToken, getTask, ORIGIN, OTHER_CLIENT_KEY } from "./support/api.ts";
import { RED_PNG, solidPng } from "./support/images.ts";

// vitest.config.ts sets MAX_UPLOAD_BYTES to 64 KiB for the Worker under test.
const MAX_UPLOAD_BYTES = 64 * 1024;
const MCP_URL = new URL("/mcp", ORIGIN);
const IMAGE_URL = "https://images.greenlight-tests.dev/red.png";

const storedTaskKeys = async () => (await env.TASKS.list({ prefix: "task:" })).keys.length;
const storedImages = async () => (await env.IMAGES.list()).objects.length;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

type Fetch = (request: Request) => Promise<Response>;

/**
 * An SDK client connected to /mcp with `key.current` (changeable after connecting). `via` serves each request: the
 * Worker by default, or the app under other settings.
 */
async function connect(key = { current: CLIENT_KEY }, via: Fetch = (request) => api(request.url, request)) {
  const client = new Client({ name: "greenlight-tests", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(MCP_URL, {
    fetch: (url, init) => {
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${key.current}`);
      return via(new Request(url, { ...init, headers }));
    },
  });
  await client.connect(transport);
  return client;
}

/** The app under these settings on top of the test ones, as a Worker deployed with them would answer. */
const withSettings =
  (vars: Record<string, string>): Fetch =>
  async (request) => {
    const ctx = createExecutionContext();
    const response = await app.fetch(request, { ...env, ...vars }, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

const requestReview = (client: Client, args: Record<string, unknown>) => call(client, "request_review", args);

/** The contract's error envelope a tool error carries as its text. */
function toolError(result: CallToolResult) {
  expect(result.isError).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  const [content] = result.content;
  expect(content?.type).toBe("text");
  return JSON.parse(content?.type === "text" ? content.text : "") as { error: { code: string; message: string; details?: unknown } };
}

/** Asserts the call was refused with this envelope and left KV and R2 as they were. */
async function expectRefused(run: () => Promise<CallToolResult>, error: { code: string; message: string; details?: unknown }) {
  const before = [await storedTaskKeys(), await storedImages()];
  expect(toolError(await run())).toEqual({ error });
  expect([await storedTaskKeys(), await storedImages()]).toEqual(before);
}

/** Answers fetches of `url` from the Worker with `respond`; every other fetch goes out as usual. */
function serve(url: string, respond: () => Response | Promise<Response>) {
  const realFetch = globalThis.fetch;
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    if ((input instanceof Request ? input.url : String(input)) === url) return respond();
    return realFetch(input, init);
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the MCP server's tools", () => {
  it("lists request_review, get_review and wait_for_decision with their input and output schemas", async () => {
    const { tools } = await (await connect()).listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["request_review", "get_review", "wait_for_decision"]);
    const [requestReviewTool, getReviewTool, waitTool] = tools;

    expect(requestReviewTool!.inputSchema).toMatchObject({ type: "object", required: ["image"], additionalProperties: false });
    expect(Object.keys(requestReviewTool!.inputSchema.properties!)).toEqual([
      "image",
      "metadata",
      "policy",
      "callbackUrl",
      "idempotencyKey",
    ]);
    expect(requestReviewTool!.inputSchema.properties!.image).toEqual({
      anyOf: [
        {
          type: "object",
          properties: {
            base64: { type: "string", description: expect.any(String) },
            contentType: { type: "string", enum: ["image/png", "image/jpeg", "image/gif", "image/webp"], description: expect.any(String) },
          },
          required: ["base64"],
          additionalProperties: false,
        },
        {
          type: "object",
          properties: { url: { type: "string", description: expect.any(String) } },
          required: ["url"],
          additionalProperties: false,
        },
      ],
    });
    expect(requestReviewTool!.inputSchema.properties!.policy).toMatchObject({
      type: "object",
      properties: { approvalsRequired: { type: "integer", minimum: 1, maximum: 5 }, onDeadline: { enum: ["expire", "reject"] } },
      additionalProperties: false,
    });
    expect(requestReviewTool!.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });

    expect(getReviewTool!.inputSchema).toMatchObject({ type: "object", required: ["taskId"], additionalProperties: false });
    expect(waitTool!.inputSchema).toMatchObject({
      type: "object",
      properties: { taskId: { type: "string" }, timeoutSeconds: { type: "integer", minimum: 1, maximum: 50, default: 30 } },
      required: ["taskId"],
      additionalProperties: false,
    });
    for (const tool of tools) {
      expect(tool.description, tool.name).toEqual(expect.any(String));
      expect(tool.outputSchema, tool.name).toMatchObject({
        type: "object",
        required: expect.arrayContaining(["taskId", "status", "decision"]),
      });
    }
  });

  it("request_review with base64 bytes creates the task POST /v1/tasks would, and get_review reads it back", async () => {
    const client = await connect();
    const result = await requestReview(client, {
      image: { base64: base64(RED_PNG), contentType: "image/png" },
      metadata: { post: "launch-banner" },
      policy: { approvalsRequired: 2 },
      callbackUrl: "https://client.example.com/hooks/greenlight",
    });

    expect(result.isError).toBeUndefined();
    const task = result.structuredContent as Task;
    expect(task).toEqual(await getTask(task.taskId));
    expect(task).toMatchObject({
      taskId: expect.stringMatching(/^tsk_[0-9a-f]{32}$/),
      status: "pending",
      image: { contentType: "image/png", bytes: RED_PNG.byteLength, width: 64, height: 32 },
      metadata: { post: "launch-banner" },
      policy: { approvalsRequired: 2, onDeadline: "expire", excludedReviewers: [] },
      callback: { url: "https://client.example.com/hooks/greenlight", state: "pending" },
      links: { self: `/v1/tasks/${task.taskId}`, image: `/v1/tasks/${task.taskId}/image` },
    });
    expect(result.content).toEqual([
      {
        type: "text",
        text: `Task ${task.taskId} is waiting for a reviewer until ${task.reviewDeadline}. Call wait_for_decision with this taskId for the decision.`,
      },
      { type: "text", text: JSON.stringify(task) },
    ]);
    expect(await env.TASKS.get(`task:v1:${task.taskId}`, "json")).toMatchObject({ clientId: "demo", task: { taskId: task.taskId } });
    expect(new Uint8Array(await (await env.IMAGES.get(`images/${task.taskId}`))!.arrayBuffer())).toEqual(RED_PNG);

    const read = await call(client, "get_review", { taskId: task.taskId });
    expect(read.structuredContent).toEqual(await getTask(task.taskId));
    expect(read.content[0]).toEqual({
      type: "text",
      text: `Task ${task.taskId} is pending: no reviewer has decided yet (review deadline ${task.reviewDeadline}).`,
    });
  });

  it("get_review and wait_for_decision answer task_not_found for another client's task and for ids that are not one", async () => {
    const client = await connect({ current: OTHER_CLIENT_KEY });
    const theirs = await createTask();
    const notFound = { code: "task_not_found", message: "No task with this id." };
    for (const taskId of [theirs.taskId, "tsk_00000000000000000000000000000000", "../v1/reviews"]) {
      expect(toolError(await call(client, "get_review", { taskId }))).toEqual({ error: notFound });
      expect(toolError(await call(client, "wait_for_decision", { taskId, timeoutSeconds: 1 }))).toEqual({ error: notFound });
    }
  });

  it("replays an idempotencyKey's task for the same input and refuses it for another", async () => {
    const client = await connect();
    const idempotencyKey = `mcp-${crypto.randomUUID()}`;
    const first = await requestReview(client, { image: { base64: base64(RED_PNG) }, idempotencyKey });
    const again = await requestReview(client, { image: { base64: base64(RED_PNG) }, idempotencyKey });
    const task = first.structuredContent as Task;
    expect(again.structuredContent).toEqual(task);
    expect(again.content[0]).toEqual({
      type: "text",
      text: `This idempotencyKey was used before: this is the task that call created, as it stands now. Task ${task.taskId} is pending: no reviewer has decided yet (review deadline ${task.reviewDeadline}).`,
    });
    await expectRefused(() => requestReview(client, { image: { base64: base64(solidPng(8, 8, [0, 0, 255])) }, idempotencyKey }), {
      code: "idempotency_key_reused",
      message: "This Idempotency-Key was used with a different request in the last 24 hours.",
    });
  });
});

describe("wait_for_decision", () => {
  it("returns the decision once a reviewer has decided", async () => {
    const client = await connect();
    const task = (await requestReview(client, { image: { base64: base64(RED_PNG) } })).structuredContent as Task;
    expect((await decide(await decisionToken(task.taskId, "approve", { reviewer: "ada", reason: "on brand" }))).status).toBe(200);

    const result = await call(client, "wait_for_decision", { taskId: task.taskId, timeoutSeconds: 5 });
    const waited = result.structuredContent as Task;
    expect(waited.status === "approved" || waited.status === "completed").toBe(true);
    expect(waited.decision).toMatchObject({
      decision: "approve",
      reviewer: { id: "U-ada", name: "ada" },
      reason: "on brand",
      via: "slack-app",
    });
    expect(result.content[0]).toEqual({
      type: "text",
      text:
        waited.status === "approved"
          ? `Task ${task.taskId} was approved by ada (reason: on brand); its tags are being added.`
          : `Task ${task.taskId} was approved by ada (reason: on brand) and tagged.`,
    });
  });

  it("returns as soon as a decision lands during the wait, well before its timeout", async () => {
    const client = await connect();
    const task = (await requestReview(client, { image: { base64: base64(RED_PNG) } })).structuredContent as Task;
    const started = Date.now();
    const waiting = call(client, "wait_for_decision", { taskId: task.taskId, timeoutSeconds: 30 });
    await scheduler.wait(500);
    await decide(await decisionToken(task.taskId, "reject", { reviewer: "grace", reason: "off brand" }));

    const result = await waiting;
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result.structuredContent).toMatchObject({
      taskId: task.taskId,
      status: "rejected",
      decision: { decision: "reject", reason: "off brand" },
    });
    expect(result.content[0]).toEqual({ type: "text", text: `Task ${task.taskId} was rejected by grace (reason: off brand).` });
  });

  it('answers "still pending" with the task when nobody decides within timeoutSeconds', async () => {
    const client = await connect();
    const task = (await requestReview(client, { image: { base64: base64(RED_PNG) } })).structuredContent as Task;
    const started = Date.now();
    const result = await call(client, "wait_for_decision", { taskId: task.taskId, timeoutSeconds: 1 });

    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.structuredContent).toEqual(await getTask(task.taskId));
    expect(result.content[0]).toEqual({
      type: "text",
      text: `Still pending after 1 s: no reviewer has decided yet (review deadline ${task.reviewDeadline}). Call wait_for_decision again to keep waiting.`,
    });
  });

  it("refuses a timeoutSeconds outside 1 to 50", async () => {
    const client = await connect();
    const { taskId } = await createTask();
    for (const timeoutSeconds of [0, 51, 2.5]) {
      const result = await call(client, "wait_for_decision", { taskId, timeoutSeconds });
      expect(result.isError).toBe(true);
      expect(result.content[0]).toEqual({ type: "text", text: expect.stringContaining("Input validation error") });
    }
  });
});

describe("request_review refuses bad input with the contract's error, and writes nothing", () => {
  it("bytes that are not an image, empty or not base64", async () => {
    const client = await connect();
    await expectRefused(() => requestReview(client, { image: { base64: btoa("just some text, not a picture") } }), {
      code: "unsupported_media_type",
      message: "The body is not a PNG, JPEG, GIF or WebP image.",
    });
    await expectRefused(() => requestReview(client, { image: { base64: "" } }), {
      code: "invalid_request",
      message: "The image is empty.",
    });
    await expectRefused(() => requestReview(client, { image: { base64: "not base64!" } }), {
      code: "invalid_request",
      message: "image.base64 is not valid base64.",
    });
  });

  it("an image over MAX_UPLOAD_BYTES", async () => {
    const client = await connect();
    const oversize = new Uint8Array(MAX_UPLOAD_BYTES + 1);
    oversize.set(RED_PNG);
    await expectRefused(() => requestReview(client, { image: { base64: base64(oversize) } }), {
      code: "payload_too_large",
      message: `The image must be at most ${MAX_UPLOAD_BYTES} bytes.`,
      details: { maxBytes: MAX_UPLOAD_BYTES },
    });
  });

  it("a policy outside its schema, or with stages past the review deadline", async () => {
    const client = await connect();
    const before = [await storedTaskKeys(), await storedImages()];
    for (const policy of [{ approvalsRequired: 9 }, { onDeadline: "approve" }, { quorum: 2 }]) {
      const result = await requestReview(client, { image: { base64: base64(RED_PNG) }, policy });
      expect(result.isError).toBe(true);
      expect(result.content[0]).toEqual({
        type: "text",
        text: expect.stringMatching(/^MCP error -32602: Input validation error: Invalid arguments for tool request_review: .*policy/),
      });
    }
    expect([await storedTaskKeys(), await storedImages()]).toEqual(before);

    await expectRefused(() => requestReview(client, { image: { base64: base64(RED_PNG) }, policy: { remindAfter: ["2 days"] } }), {
      code: "invalid_request",
      message: "policy's reminders and escalation must each come before the review deadline.",
      details: { issues: [{ path: "policy.remindAfter", message: "Must be shorter than the review deadline (86400000 ms)." }] },
    });
  });

  it("metadata over 8 KiB and a callbackUrl to a private address", async () => {
    const client = await connect();
    await expectRefused(() => requestReview(client, { image: { base64: base64(RED_PNG) }, metadata: { note: "x".repeat(8 * 1024) } }), {
      code: "invalid_request",
      message: "metadata must be at most 8 KiB of JSON.",
    });
    await expectRefused(() => requestReview(client, { image: { base64: base64(RED_PNG) }, callbackUrl: "https://10.0.0.7/hook" }), {
      code: "invalid_callback_url",
      message: expect.stringMatching(/^callbackUrl .+\.$/),
    });
  });
});

describe("request_review with an image URL", () => {
  it("fetches the image once, without following redirects, and creates the task from its bytes", async () => {
    const fetches = serve(IMAGE_URL, () => new Response(RED_PNG, { headers: { "content-type": "application/octet-stream" } }));
    const result = await requestReview(await connect(), { image: { url: IMAGE_URL } });

    const task = result.structuredContent as Task;
    expect(task).toEqual(await getTask(task.taskId));
    expect(task.image).toMatchObject({ contentType: "image/png", bytes: RED_PNG.byteLength });
    expect(new Uint8Array(await (await env.IMAGES.get(`images/${task.taskId}`))!.arrayBuffer())).toEqual(RED_PNG);
    const imageFetches = fetches.mock.calls.filter(([input]) => String(input) === IMAGE_URL);
    expect(imageFetches).toHaveLength(1);
    expect(imageFetches[0]![1]).toMatchObject({ redirect: "manual", signal: expect.any(AbortSignal) });
  });

  it("refuses URLs the SSRF rules refuse, before fetching anything", async () => {
    const client = await connect();
    const fetches = vi.spyOn(globalThis, "fetch");
    const refused = [
      ["http://169.254.169.254/latest/meta-data/", "image.url must use https (plain http is only for loopback in development)."],
      ["https://169.254.169.254/latest/meta-data/", "image.url points at a non-public address (linkLocal)."],
      ["https://metadata.google.internal/computeMetadata/v1/", "image.url points at a cloud metadata service."],
      ["https://10.1.2.3/cat.png", "image.url points at a non-public address (private)."],
      ["https://localtest.me/cat.png", "image.url names a public DNS alias for this machine (loopback)."],
      ["file:///etc/passwd", "image.url must use https."],
    ] as const;
    for (const [url, message] of refused) {
      await expectRefused(() => requestReview(client, { image: { url } }), { code: "invalid_image_url", message });
    }
    expect(fetches.mock.calls.filter(([input]) => !String(input).startsWith(ORIGIN))).toEqual([]);
  });

  it("refuses loopback where ALLOW_LOOPBACK_CALLBACKS is false, as a deployed Worker does", async () => {
    const client = await connect(undefined, withSettings({ ALLOW_LOOPBACK_CALLBACKS: "false" }));
    for (const url of ["http://127.0.0.1:8787/v1/images/x", "https://localhost/cat.png", "https://[::1]/cat.png"]) {
      await expectRefused(() => requestReview(client, { image: { url } }), {
        code: "invalid_image_url",
        message: "image.url points at this machine (loopback).",
      });
    }
  });

  it("refuses redirects, error statuses, network failures and timeouts", async () => {
    const client = await connect();
    const answers: [() => Response | Promise<Response>, string][] = [
      [
        () => new Response(null, { status: 302, headers: { location: "http://169.254.169.254/" } }),
        "it answered HTTP 302; redirects are not followed",
      ],
      [() => new Response("gone", { status: 404 }), "it answered HTTP 404"],
      [() => Promise.reject(new TypeError("Network connection lost.")), "network error: Network connection lost."],
      [() => Promise.reject(new DOMException("The operation timed out.", "TimeoutError")), "no complete answer within 10 seconds"],
    ];
    for (const [answer, why] of answers) {
      serve(IMAGE_URL, answer);
      await expectRefused(() => requestReview(client, { image: { url: IMAGE_URL } }), {
        code: "image_fetch_failed",
        message: `The image URL could not be fetched: ${why}.`,
      });
      vi.restoreAllMocks();
    }
  });

  it("refuses an image over MAX_UPLOAD_BYTES by its Content-Length unread, or while it streams", async () => {
    const client = await connect();
    const tooLarge = {
      code: "payload_too_large",
      message: `The image must be at most ${MAX_UPLOAD_BYTES} bytes.`,
      details: { maxBytes: MAX_UPLOAD_BYTES },
    };
    // Pulled only when read (no high-water mark to fill first).
    const body = { pulled: false, cancelled: false };
    serve(
      IMAGE_URL,
      () =>
        new Response(
          new ReadableStream(
            {
              pull() {
                body.pulled = true;
              },
              cancel() {
                body.cancelled = true;
              },
            },
            { highWaterMark: 0 },
          ),
          { headers: { "content-length": String(MAX_UPLOAD_BYTES + 1) } },
        ),
    );
    await expectRefused(() => requestReview(client, { image: { url: IMAGE_URL } }), tooLarge);
    expect(body).toEqual({ pulled: false, cancelled: true });
    vi.restoreAllMocks();

    // No Content-Length: a PNG header, then 1 KiB chunks for ever.
    let sent = 0;
    serve(
      IMAGE_URL,
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(sent === 0 ? RED_PNG : new Uint8Array(1024));
              sent++;
            },
          }),
        ),
    );
    await expectRefused(() => requestReview(client, { image: { url: IMAGE_URL } }), tooLarge);
    expect(sent).toBeLessThan(MAX_UPLOAD_BYTES / 1024 + 5);
  });

  it("judges the fetched bytes by their magic bytes, whatever the server calls them", async () => {
    serve(IMAGE_URL, () => new Response("<html>not an image</html>", { headers: { "content-type": "image/png" } }));
    const client = await connect();
    await expectRefused(() => requestReview(client, { image: { url: IMAGE_URL } }), {
      code: "unsupported_media_type",
      message: "The body is not a PNG, JPEG, GIF or WebP image.",
    });
  });
});

describe("/mcp over HTTP", () => {
  it("answers a wrong or missing client key with 401 and WWW-Authenticate, and writes nothing", async () => {
    await expect(connect({ current: "wrong-key" })).rejects.toMatchObject({ code: 401 });

    const key = { current: CLIENT_KEY };
    const client = await connect(key);
    key.current = "wrong-key";
    const before = [await storedTaskKeys(), await storedImages()];
    await expect(requestReview(client, { image: { base64: base64(RED_PNG) } })).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('{"error":{"code":"unauthorized"'),
    });
    expect([await storedTaskKeys(), await storedImages()]).toEqual(before);

    const message = { jsonrpc: "2.0", id: 1, method: "tools/list" };
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    for (const authorization of [{}, { authorization: "Bearer wrong-key" }] as Record<string, string>[]) {
      const response = await api("/mcp", { method: "POST", headers: { ...headers, ...authorization }, body: JSON.stringify(message) });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(await response.json()).toEqual({
        error: { code: "unauthorized", message: "A valid Authorization: Bearer <key> header is required." },
      });
    }
  });

  it("counts wrong keys towards the failed-authentication throttle of their source, as the task endpoints do", async () => {
    // Miniflare counts in windows aligned to the clock; a burst crossing a boundary would be split over two of them.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 15_000) await scheduler.wait(left + 100);
    // A source unique to this run: the binding's counters outlive a run in watch mode.
    const source = `10.250.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
    const post = (key: string) =>
      api("/mcp", {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "cf-connecting-ip": source,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
    for (let attempt = 0; attempt < 10; attempt++) expect((await post("wrong-key")).status).toBe(401);
    const throttled = await post("wrong-key");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("60");
    expect(await throttled.json()).toEqual({
      error: {
        code: "too_many_auth_failures",
        message: "Too many failed authentication attempts from this address. Try again in 60 seconds.",
        details: { retryAfterSeconds: 60 },
      },
    });

    // The right key from that source is refused too, so answers cannot tell a right guess from a wrong one.
    const right = await post(CLIENT_KEY);
    expect(right.status).toBe(429);
    expect(((await right.json()) as { error: { code: string } }).error.code).toBe("too_many_auth_failures");
  }, 30_000);

  it("refuses a message larger than an image of MAX_UPLOAD_BYTES in base64 and its fields with 413, unread", async () => {
    const budget = 4 * Math.ceil(MAX_UPLOAD_BYTES / 3) + 16 * 1024;
    const response = await api("/mcp", {
      method: "POST",
      headers: {
        authorization: `Bearer ${CLIENT_KEY}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "content-length": String(budget + 1),
      },
      body: "x".repeat(budget + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: {
        code: "payload_too_large",
        message: `The image must be at most ${MAX_UPLOAD_BYTES} bytes.`,
        details: { maxBytes: MAX_UPLOAD_BYTES },
      },
    });
  });

  it("answers GET and DELETE with 405: the server is stateless, with no stream or session", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await api("/mcp", { method, headers: { authorization: `Bearer ${CLIENT_KEY}`, accept: "text/event-stream" } });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect(await response.json()).toEqual({
        error: { code: "method_not_allowed", message: "MCP messages are POSTed to /mcp; this server keeps no sessions or streams." },
      });
    }
  });
});
