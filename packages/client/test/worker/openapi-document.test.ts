// Inside workerd: the document the client is generated from is the one the Worker serves. `npm run client:generate`
// runs this test with --update, which rewrites packages/client/openapi.json.
import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

// The first request loads the whole Worker, which nothing else in this file has imported yet.
const FIRST_REQUEST_MS = 30_000;

it(
  "packages/client/openapi.json is the Worker's /openapi.json",
  async () => {
    const response = await exports.default.fetch(new Request("https://greenlight.test/openapi.json"));
    expect(response.status).toBe(200);
    const document = `${JSON.stringify(await response.json(), null, 2)}\n`;
    await expect(document, "stale: run npm run client:generate").toMatchFileSnapshot("../../openapi.json");
  },
  FIRST_REQUEST_MS,
);
