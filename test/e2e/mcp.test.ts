// End to end: the MCP server of `npm start`'s Worker, driven over real HTTP by the official SDK's client, with a real
// image server on loopback (which the local stack may fetch: ALLOW_LOOPBACK_CALLBACKS is true there).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "@greenlight/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";
import { devClient, setting } from "../../scripts/lib/dev-vars.ts";
import { stackClients } from "../../scripts/lib/greenlight-client.ts";
import { solidPng } from "../../scripts/lib/png.ts";
import { LOOPBACK } from "../../scripts/lib/ports.ts";
import { type Stack, startStack, stopAllStacks, tail } from "../../scripts/lib/stack.ts";

const client = devClient(setting("CLIENT_KEYS"));
const reviewerToken = setting("REVIEWER_TOKEN");
const decisionSecret = setting("DECISION_SIGNING_SECRET");
const reviewer = { id: "U0MCP", name: "MCP Reviewer" };
// Small, so an oversize image streams past it quickly.
const MAX_UPLOAD_BYTES = 64 * 1024;

const RED = solidPng(40, 30, [230, 20, 20]);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

let stack: Stack;
let stateDir: string;
let images: Server;
let imagesUrl: string;

/** Serves the test images: a PNG, a redirect, an endless body and one that stalls after its first bytes. */
function startImageServer(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === "/red.png") {
      response.writeHead(200, { "content-type": "image/png" }).end(RED);
    } else if (request.url === "/moved.png") {
      response.writeHead(302, { location: "/red.png" }).end();
    } else if (request.url === "/endless.png") {
      response.writeHead(200, { "content-type": "image/png" });
      response.write(RED);
      const chunk = Buffer.alloc(16 * 1024);
      const more = () => {
        while (!response.destroyed && response.write(chunk)) {}
      };
      response.on("drain", more);
      response.on("close", () => response.off("drain", more));
      more();
    } else if (request.url === "/stalled.png") {
      response.writeHead(200, { "content-type": "image/png" });
      response.write(RED.subarray(0, 16));
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, LOOPBACK, () => resolve(server)));
}

async function connect(key = client.key): Promise<Client> {
  const mcp = new Client({ name: "greenlight-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL("/mcp", stack.baseUrl), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await mcp.connect(transport);
  return mcp;
}

const call = async (mcp: Client, name: string, args: Record<string, unknown>) =>
  (await mcp.callTool({ name, arguments: args })) as CallToolResult;

const errorOf = (result: CallToolResult) => {
  expect(result.isError).toBe(true);
  const [content] = result.content;
  return JSON.parse(content?.type === "text" ? content.text : "") as { error: { code: string; message: string } };
};

async function approve(taskId: string) {
  const token = await signDecisionToken(decisionSecret, {
    taskId,
    decision: "approve",
    reviewer,
    reason: "fine to publish",
    issuer: "console",
  });
  await stackClients(stack.baseUrl, { clientKey: client.key, reviewerToken }).reviewer.decide(token);
}

/** Runs `fn`; on failure, appends the stack's output so a broken Worker explains itself. */
async function withStackOutput<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Error) error.message += `\nLast lines from the stack on port ${stack.port}:\n${tail(stack.output)}`;
    throw error;
  }
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "greenlight-e2e-mcp-"));
  images = await startImageServer();
  imagesUrl = `http://${LOOPBACK}:${(images.address() as AddressInfo).port}`;
  stack = await startStack(stateDir, { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
});

afterAll(async () => {
  await stopAllStacks();
  images?.closeAllConnections();
  await new Promise((resolve) => images?.close(resolve));
  rmSync(stateDir, { recursive: true, force: true });
});

describe("the MCP server of the local stack", () => {
  it("lists its tools, takes a review request, and wait_for_decision returns the reviewer's decision", () =>
    withStackOutput(async () => {
      const mcp = await connect();
      expect((await mcp.listTools()).tools.map((tool) => tool.name)).toEqual(["request_review", "get_review", "wait_for_decision"]);

      const requested = await call(mcp, "request_review", { image: { base64: base64(RED) }, metadata: { post: "e2e" } });
      const task = requested.structuredContent as Task;
      expect(task).toMatchObject({
        status: "pending",
        metadata: { post: "e2e" },
        image: { contentType: "image/png", bytes: RED.byteLength },
      });

      const started = Date.now();
      const waiting = call(mcp, "wait_for_decision", { taskId: task.taskId, timeoutSeconds: 30 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await approve(task.taskId);
      const decided = await waiting;

      expect(Date.now() - started).toBeLessThan(10_000);
      expect(decided.isError).toBeUndefined();
      expect(decided.structuredContent).toMatchObject({
        taskId: task.taskId,
        status: expect.stringMatching(/^(approved|completed)$/),
        decision: { decision: "approve", reviewer, reason: "fine to publish", via: "console" },
      });
      expect((await call(mcp, "get_review", { taskId: task.taskId })).structuredContent).toMatchObject({
        decision: { decision: "approve" },
      });
    }));

  it("fetches an image URL on loopback, as the local stack allows, and refuses redirects, oversize and stalled answers", () =>
    withStackOutput(async () => {
      const mcp = await connect();
      const fetched = (await call(mcp, "request_review", { image: { url: `${imagesUrl}/red.png` } })).structuredContent as Task;
      const stored = await fetch(new URL(fetched.links.image, stack.baseUrl), { headers: { authorization: `Bearer ${client.key}` } });
      expect(new Uint8Array(await stored.arrayBuffer())).toEqual(RED);

      expect(errorOf(await call(mcp, "request_review", { image: { url: `${imagesUrl}/moved.png` } }))).toEqual({
        error: {
          code: "image_fetch_failed",
          message: "The image URL could not be fetched: it answered HTTP 302; redirects are not followed.",
        },
      });
      expect(errorOf(await call(mcp, "request_review", { image: { url: `${imagesUrl}/endless.png` } }))).toEqual({
        error: {
          code: "payload_too_large",
          message: `The image must be at most ${MAX_UPLOAD_BYTES} bytes.`,
          details: { maxBytes: MAX_UPLOAD_BYTES },
        },
      });
      const started = Date.now();
      expect(errorOf(await call(mcp, "request_review", { image: { url: `${imagesUrl}/stalled.png` } }))).toEqual({
        error: { code: "image_fetch_failed", message: "The image URL could not be fetched: no complete answer within 10 seconds." },
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(9_500);
    }));

  it("refuses image URLs the SSRF rules refuse, and a wrong client key with 401", () =>
    withStackOutput(async () => {
      const mcp = await connect();
      expect(errorOf(await call(mcp, "request_review", { image: { url: "https://169.254.169.254/latest/meta-data/" } }))).toEqual({
        error: { code: "invalid_image_url", message: "image.url points at a non-public address (linkLocal)." },
      });
      expect(errorOf(await call(mcp, "request_review", { image: { url: "http://192.168.1.10/cat.png" } }))).toEqual({
        error: { code: "invalid_image_url", message: "image.url must use https (plain http is only for loopback in development)." },
      });
      await expect(connect("not-a-client-key")).rejects.toMatchObject({ code: 401 });
    }));
});
