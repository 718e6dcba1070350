// A client's callback endpoint as it fails in the wild, in front of the recording receiver: it can answer slowly,
// answer 503 or be down (connection refused), and comes back on the same port, since each task keeps its callback URL.
// Whatever it lets through reaches the receiver behind it, which records it, even when the answer never gets back.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { CallbackReceiver } from "../lib/callback-receiver.ts";
import { LOOPBACK } from "../lib/ports.ts";

/** up: passes at once; slow: holds each callback `slowMs` first; 503: refuses it; down: not listening at all. */
export type FrontMode = "up" | "slow" | "503" | "down";

export type ReceiverFront = {
  url: string;
  /** Callbacks that reached the front in any mode but down. */
  seen(): number;
  setMode(mode: FrontMode): Promise<void>;
  close(): Promise<void>;
};

// The Worker gives a callback 10 s; a slow receiver still answers within that.
const SLOW_MS = 5_000;
const FORWARDED_HEADERS = ["content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"];

export async function startReceiverFront(receiver: CallbackReceiver, slowMs = SLOW_MS): Promise<ReceiverFront> {
  let mode: FrontMode = "up";
  let seen = 0;
  const server = createServer(async (request, response) => {
    seen++;
    const body = Buffer.concat((await request.toArray()) as Buffer[]);
    if (mode === "503") return response.writeHead(503).end("receiver unavailable");
    if (mode === "slow") await sleep(slowMs);
    try {
      const forwarded = await fetch(new URL(request.url ?? "/", receiver.url), {
        method: request.method,
        headers: Object.fromEntries(
          FORWARDED_HEADERS.flatMap((name) => (typeof request.headers[name] === "string" ? [[name, request.headers[name]]] : [])),
        ),
        body,
      });
      response.writeHead(forwarded.status).end();
    } catch {
      response.writeHead(502).end();
    }
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, LOOPBACK, () => {
        server.off("error", reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK}:${port}`,
    seen: () => seen,
    async setMode(next) {
      if (next === "down" && mode !== "down") await stopListening();
      // Someone may have taken the port meanwhile; the scenario then fails on the listen error.
      if (next !== "down" && mode === "down") await listen(port);
      mode = next;
    },
    close: () => (mode === "down" ? Promise.resolve() : stopListening()),
  };
}
