// POST /mcp: the Model Context Protocol over streamable HTTP, stateless (a fresh server and transport for every request,
// no session), answering JSON rather than an event stream. Outside /openapi.json: MCP describes itself (tools/list).
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { clientAuth } from "../middleware/auth.ts";
import { limitBody } from "../middleware/body-limit.ts";
import { payloadTooLarge } from "../middleware/upload-limit.ts";
import { greenlightMcpServer } from "./server.ts";

// The JSON-RPC framing, metadata, policy, URLs and key that ride beside an image's base64.
const MESSAGE_OVERHEAD_BYTES = 16 * 1024;

const METHOD_NOT_ALLOWED = {
  error: { code: "method_not_allowed", message: "MCP messages are POSTed to /mcp; this server keeps no sessions or streams." },
};

/** The largest message: an image of the upload limit in base64 (4 characters for every 3 bytes) and its fields. */
const messageBudget = (c: Context<AppEnv>) => 4 * Math.ceil(c.var.settings.maxUploadBytes / 3) + MESSAGE_OVERHEAD_BYTES;

export const mcp = new Hono<AppEnv>()
  .post(
    "/mcp",
    clientAuth(),
    limitBody<AppEnv>((c) => ({ maxBytes: messageBudget(c), tooLarge: payloadTooLarge(c.var.settings.maxUploadBytes) })),
    async (c) => {
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        maxRequestBodySize: messageBudget(c),
      });
      await greenlightMcpServer({ env: c.env, settings: c.var.settings, clientId: c.var.clientId }).connect(transport);
      return transport.handleRequest(c.req.raw);
    },
  )
  // A stateless server has no stream to offer on GET and no session to end on DELETE (MCP, Streamable HTTP transport).
  .all("/mcp", (c) => c.json(METHOD_NOT_ALLOWED, 405, { Allow: "POST" }));
