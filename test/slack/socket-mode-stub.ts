// A local stand-in for Slack's Socket Mode: apps.connections.open hands out a ws:// URL on this server, which says
// hello and carries envelopes both ways. Every other Web API method is passed on to the Slack Web API stub.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { SlackStub } from "../support/slack-stub.ts";

export type SocketModeStub = {
  /** The base URL to configure as SLACK_API_URL. */
  url: string;
  /** What the app sent over the socket (its acknowledgements), parsed. */
  received: Array<Record<string, unknown>>;
  connections(): number;
  /** Sends an envelope, as Slack does for an interaction or an event, to every open connection. */
  send(envelope: Record<string, unknown>): void;
  close(): Promise<void>;
};

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export async function startSocketModeStub(options: { appToken: string; webApi: SlackStub }): Promise<SocketModeStub> {
  const sockets = new Set<Socket>();
  const received: Array<Record<string, unknown>> = [];
  let origin = "";

  const server = createServer(async (request, response) => {
    const method = (request.url ?? "").replace(/^\/api\//, "").split("?")[0];
    const body = await readAll(request);
    if (method === "apps.connections.open") {
      const ok = request.headers.authorization === `Bearer ${options.appToken}`;
      const answer = ok ? { ok: true, url: `${origin.replace("http:", "ws:")}/link` } : { ok: false, error: "invalid_auth" };
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
      return;
    }
    const forwarded = await fetch(`${options.webApi.url}${method}`, {
      method: "POST",
      headers: {
        "content-type": request.headers["content-type"] ?? "application/x-www-form-urlencoded",
        authorization: request.headers.authorization ?? "",
      },
      body,
    });
    response.writeHead(forwarded.status, { "content-type": "application/json" }).end(await forwarded.text());
  });

  server.on("upgrade", (request: IncomingMessage, socket: Socket) => {
    const key = request.headers["sec-websocket-key"];
    if (request.url !== "/link" || typeof key !== "string") return void socket.destroy();
    const accept = createHash("sha1")
      .update(key + WEBSOCKET_GUID)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let frame = readFrame(buffer); frame; frame = readFrame(buffer)) {
        buffer = buffer.subarray(frame.length);
        if (frame.opcode === 0x1) received.push(JSON.parse(frame.payload.toString("utf8")) as Record<string, unknown>);
        else if (frame.opcode === 0x9) socket.write(encodeFrame(0xa, frame.payload));
        else if (frame.opcode === 0x8) socket.end(encodeFrame(0x8, Buffer.alloc(0)));
      }
    });
    socket.write(
      encodeFrame(
        0x1,
        Buffer.from(
          JSON.stringify({
            type: "hello",
            num_connections: 1,
            debug_info: { host: "local-stub" },
            connection_info: { app_id: "A0GREENLIGHT" },
          }),
        ),
      ),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/api/`,
    received,
    connections: () => sockets.size,
    send(envelope) {
      for (const socket of sockets) socket.write(encodeFrame(0x1, Buffer.from(JSON.stringify(envelope))));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// RFC 6455 framing, enough for this test: whole frames, client frames masked, server frames not.
function readFrame(buffer: Buffer): { opcode: number; payload: Buffer; length: number } | null {
  if (buffer.length < 2) return null;
  const opcode = buffer[0]! & 0x0f;
  const masked = (buffer[1]! & 0x80) !== 0;
  let length = buffer[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const mask = masked ? buffer.subarray(offset, offset + 4) : null;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return null;
  const payload = Buffer.from(buffer.subarray(offset, offset + length));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return { opcode, payload, length: offset + length };
}

function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const header =
    payload.length < 126
      ? Buffer.from([0x80 | opcode, payload.length])
      : payload.length < 65536
        ? Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(payload.length)]);
  return Buffer.concat([header, payload]);
}

function bigLength(length: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(length));
  return bytes;
}

async function readAll(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
