// The OpenAPI document, health check and unknown paths.
import { describe, expect, it } from "vitest";
import { api } from "./support/api.ts";

describe("GET /openapi.json", () => {
  it("describes every endpoint of the contract as OpenAPI 3.1", async () => {
    const response = await api("/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(document.openapi).toBe("3.1.0");
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "GET /healthz",
        "GET /.well-known/jwks.json",
        "GET /v1/images/{id}",
        "GET /v1/metrics",
        "GET /v1/reviews",
        "GET /v1/reviews/{id}",
        "DELETE /v1/tasks/{id}",
        "GET /v1/tasks/{id}",
        "GET /v1/tasks/{id}/image",
        "GET /v1/tasks/{id}/events",
        "GET /v1/tasks/{id}/deliveries",
        "POST /v1/tasks/{id}/callback/redeliver",
        "POST /v1/tasks/{id}/retry",
        "POST /v1/decisions",
        "POST /v1/reviews/claim",
        "POST /v1/reviews/{id}/announcement",
        "POST /v1/reviews/due",
        "POST /v1/reviews/{id}/stages/{stage}/confirm",
        "POST /v1/tasks",
      ].sort(),
    );
    expect(Object.keys(document.paths["/v1/tasks"]!.post!.responses).sort()).toEqual(["202", "400", "401", "413", "415", "422", "429"]);
    // Every route behind a client key or the reviewer token can answer the failed-authentication throttle.
    for (const path of ["/v1/tasks/{id}", "/v1/tasks/{id}/image", "/v1/reviews", "/v1/reviews/{id}"]) {
      expect(document.paths[path]!.get!.responses).toHaveProperty("429");
    }
    for (const path of ["/v1/reviews/claim", "/v1/reviews/{id}/announcement", "/v1/reviews/due", "/v1/reviews/{id}/stages/{stage}/confirm"])
      expect(document.paths[path]!.post!.responses).toHaveProperty("429");
    expect(Object.keys(document.paths["/v1/decisions"]!.post!.responses).sort()).toEqual(["200", "400", "401", "403", "404", "409"]);
    expect(Object.keys(document.paths["/v1/tasks/{id}/deliveries"]!.get!.responses).sort()).toEqual(["200", "400", "401", "404", "429"]);
    expect(Object.keys(document.paths["/v1/tasks/{id}/callback/redeliver"]!.post!.responses).sort()).toEqual([
      "200",
      "401",
      "404",
      "409",
      "429",
    ]);
    expect(Object.keys(document.paths["/v1/tasks/{id}/retry"]!.post!.responses).sort()).toEqual(["202", "401", "404", "409", "429"]);
    // Public keys for anyone: no credential, so no refusal.
    expect(Object.keys(document.paths["/.well-known/jwks.json"]!.get!.responses)).toEqual(["200"]);
  });
});

describe("GET /healthz", () => {
  it("answers ok", async () => {
    const response = await api("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});

describe("unknown paths", () => {
  it("answer 404 in the error envelope", async () => {
    const response = await api("/v2/nothing");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: "No such endpoint." } });
  });
});
