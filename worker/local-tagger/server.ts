// Usage: PORT=0 node worker/local-tagger/server.ts   (binds 127.0.0.1; PORT 0, the default, picks a free port)
// The local stand-in for Workers AI: POST /tag with image bytes, get [{label, score, source, count?}] back.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { TaggerError } from "./errors.ts";
import { createTagger } from "./tagger.ts";

const MAX_BODY_BYTES = 12 * 1024 * 1024; // above the Worker's default upload limit (10 MiB, MAX_UPLOAD_BYTES)
const DRAIN_LIMIT = 64 * 1024 * 1024; // an oversized body is read and dropped up to this, so the 413 arrives
const MAX_WAITING = 16; // requests queued behind the running one, each holding its body: bounds memory

// Loopback only, whatever the environment says: the service has no auth and the machine is shared.
const host = "127.0.0.1";
const port = Number(process.env.PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number or 0, not "${process.env.PORT}"`);

const loadStart = performance.now();
const tagger = await createTagger();
const loadMs = Math.round(performance.now() - loadStart);

// One image at a time: Human keeps per-run state and is not built for overlapping detect() calls, and a queue
// keeps memory flat.
let queue: Promise<unknown> = Promise.resolve();
let waiting = 0;
function serially<T>(run: () => Promise<T>): Promise<T> {
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

const server = createServer(async (req, res) => {
  const started = performance.now();
  const path = new URL(req.url ?? "/", "http://local").pathname;
  let size = 0;
  const notes: string[] = [];
  try {
    if (path === "/healthz") {
      if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed("GET");
      return send(res, 200, { ok: true, models: tagger.models });
    }
    if (path !== "/tag") throw new TaggerError(404, "not_found", `no route for ${req.method} ${path}`);
    if (req.method !== "POST") throw methodNotAllowed("POST");
    const body = await readBody(req);
    size = body.byteLength;
    if (waiting >= MAX_WAITING) throw new TaggerError(503, "busy", `${waiting} images are already waiting; try again shortly`);
    waiting++;
    const queued = performance.now();
    const tags = await serially(async () => {
      waiting--;
      notes.push(`waited ${Math.round(performance.now() - queued)} ms`);
      return tagger.tag(body);
    });
    notes.push(`${tags.length} tags: ${tags.map((tag) => tag.label).join(", ")}`);
    send(res, 200, tags);
  } catch (error) {
    if (error instanceof TaggerError) {
      notes.push(error.message);
      // Only a client past DRAIN_LIMIT is answered mid-upload; its connection cannot be reused.
      if (error.status === 413 && !req.complete) res.setHeader("connection", "close");
      send(res, error.status, { error: { code: error.code, message: error.message } });
    } else {
      console.error(`local-tagger: ${req.method} ${path} failed:`, error);
      send(res, 500, { error: { code: "internal", message: "the local tagger failed; see its log" } });
    }
  } finally {
    const ms = Math.round(performance.now() - started);
    console.log(`local-tagger ${req.method} ${path} ${res.statusCode} ${size} B ${ms} ms${notes.length ? ` (${notes.join("; ")})` : ""}`);
  }
});
// Slow or stuck clients must not hold the queue: a whole request has 30 s to arrive.
server.requestTimeout = 30_000;
server.headersTimeout = 10_000;

server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  console.log(`local-tagger models loaded in ${loadMs} ms: ${tagger.models.join(", ")}`);
  console.log(`local-tagger listening on http://${host}:${bound}`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
}

/**
 * The whole body, or a 413 once it is all in: a client that is still writing when the answer comes sees its write
 * fail (EPIPE) instead of the 413, and a keep-alive connection left mid-body garbles the next request.
 */
async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  if (Number(req.headers["content-length"] ?? 0) > DRAIN_LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > DRAIN_LIMIT) throw tooLarge();
    if (total <= MAX_BODY_BYTES) chunks.push(chunk); // past the limit, read on only to drop the rest
  }
  if (total > MAX_BODY_BYTES) throw tooLarge();
  return Buffer.concat(chunks, total);
}

function tooLarge(): TaggerError {
  return new TaggerError(413, "payload_too_large", `the image is larger than ${MAX_BODY_BYTES} bytes`);
}

function methodNotAllowed(allowed: string): TaggerError {
  return new TaggerError(405, "method_not_allowed", `use ${allowed}`);
}

function send(res: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
  res.end(json);
}
