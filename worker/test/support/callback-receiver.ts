// A real HTTP callback receiver on a free loopback port, started once in Node for the workerd tests.
// POST /hooks/<name> records the request and when it arrived, and answers the next scripted status (200 once the
// script runs out); PUT /script/<name> sets the statuses; GET /deliveries/<name> returns what was received.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

type Delivery = { headers: Record<string, string>; body: string; receivedAt: number };

declare module "vitest" {
  interface ProvidedContext {
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const deliveries = new Map<string, Delivery[]>();
  const scripts = new Map<string, number[]>();

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const [, kind, name = ""] = (request.url ?? "").split("/");

    if (request.method === "POST" && kind === "hooks") {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, String(value)]));
      deliveries.set(name, [...(deliveries.get(name) ?? []), { headers, body, receivedAt: Date.now() }]);
      response.writeHead(scripts.get(name)?.shift() ?? 200).end();
    } else if (request.method === "PUT" && kind === "script") {
      scripts.set(name, JSON.parse(body) as number[]);
      response.writeHead(204).end();
    } else if (request.method === "GET" && kind === "deliveries") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(deliveries.get(name) ?? []));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("receiverUrl", `http://127.0.0.1:${port}`);

  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
