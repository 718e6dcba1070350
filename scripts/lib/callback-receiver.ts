// A callback receiver on a free loopback port that records every POST and checks Standard Webhooks signatures.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { CallbackEvent } from "@greenlight/client";
import { LOOPBACK } from "./ports.ts";
import { waitFor } from "./wait.ts";

export type ReceivedCallback = {
  path: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: Date;
};

export type CallbackReceiver = {
  /** Base URL; append a path per task so callbacks can be told apart. */
  url: string;
  received: ReceivedCallback[];
  /** Callbacks whose body names this task. */
  forTask(taskId: string): ReceivedCallback[];
  /** Resolves with the first callback for this task, or throws after `timeoutMs`. */
  waitForTask(taskId: string, timeoutMs: number): Promise<ReceivedCallback>;
  close(): Promise<void>;
};

export async function startCallbackReceiver(host = LOOPBACK): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    received.push({ path: request.url ?? "/", headers: flatHeaders(request), body, receivedAt: new Date() });
    response.writeHead(request.method === "POST" ? 204 : 405).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const forTask = (taskId: string) => received.filter((callback) => taskIdOf(callback) === taskId);
  return {
    url: `http://${host}:${port}`,
    received,
    forTask,
    waitForTask: (taskId, timeoutMs) =>
      waitFor(
        `the callback for ${taskId}`,
        () => forTask(taskId)[0],
        { timeoutMs, intervalMs: 100 },
        () => `${received.length} callback(s) for other tasks`,
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function taskIdOf(callback: ReceivedCallback): string | undefined {
  try {
    return (JSON.parse(callback.body) as CallbackEvent).data?.taskId;
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : (value ?? "")]),
  );
}
