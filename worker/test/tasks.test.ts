// POST /v1/tasks, GET /v1/tasks/:id and GET /v1/tasks/:id/image through the real Worker.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, asClient, BROKEN_OFF, brokenOff, createTask, ORIGIN, OTHER_CLIENT_KEY, postImage, upload } from "./support/api.ts";
import { RED_PNG, solidPng } from "./support/images.ts";

const storedTaskKeys = async () => (await env.TASKS.list({ prefix: "task:" })).keys.length;
const storedImages = async () => (await env.IMAGES.list()).objects.length;

/** Asserts the request was refused with this envelope and left KV and R2 as they were. */
async function expectRefused(request: () => Promise<Response>, status: number, code: string) {
  const before = [await storedTaskKeys(), await storedImages()];
  const response = await request();
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  expect([await storedTaskKeys(), await storedImages()]).toEqual(before);
  return body;
}

describe("POST /v1/tasks", () => {
  it("accepts a raw PNG with 202, Location and Retry-After, and stores the task, the image and a pending entry", async () => {
    const { response, task } = await upload();

    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe(`/v1/tasks/${task.taskId}`);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(task).toEqual({
      taskId: expect.stringMatching(/^tsk_[0-9a-f]{32}$/),
      status: "pending",
      createdAt: expect.any(String),
      updatedAt: task.createdAt,
      reviewDeadline: new Date(Date.parse(task.createdAt) + 24 * 3600 * 1000).toISOString(),
      image: {
        contentType: "image/png",
        bytes: RED_PNG.byteLength,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        width: 64,
        height: 32,
      },
      metadata: {},
      policy: { approvalsRequired: 1, onDeadline: "expire", excludedReviewers: [] },
      decision: null,
      tags: null,
      caption: null,
      callback: { url: null, state: "none", attempts: 0, lastError: null, deliveredAt: null },
      links: { self: `/v1/tasks/${task.taskId}`, image: `/v1/tasks/${task.taskId}/image` },
    });
    const stored = await env.IMAGES.get(`images/${task.taskId}`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(RED_PNG);
    // The pre-screen job stores its facts on the record, then queues the task for reviewers.
    await vi.waitFor(async () => {
      expect((await env.TASKS.list({ prefix: `pending:v1:${task.createdAt}:${task.taskId}` })).keys).toHaveLength(1);
    });
    expect(await env.TASKS.get(`task:v1:${task.taskId}`, "json")).toEqual({
      clientId: "demo",
      task: { ...task, updatedAt: expect.any(String) },
      prescreen: expect.objectContaining({ perceptualHash: expect.stringMatching(/^[0-9a-f]{16}$/), unreadable: null }),
    });
  });

  it("accepts multipart with a callbackUrl and metadata", async () => {
    const form = new FormData();
    form.set("image", new File([RED_PNG], "red.png", { type: "image/png" }));
    form.set("callbackUrl", "https://client.example.com/hooks/greenlight");
    form.set("metadata", JSON.stringify({ orderId: 42, tags: ["a"] }));
    const response = await api("/v1/tasks", { method: "POST", headers: asClient(), body: form });

    expect(response.status).toBe(202);
    const task = (await response.json()) as { metadata: unknown; callback: unknown };
    expect(task.metadata).toEqual({ orderId: 42, tags: ["a"] });
    expect(task.callback).toEqual({
      url: "https://client.example.com/hooks/greenlight",
      state: "pending",
      attempts: 0,
      lastError: null,
      deliveredAt: null,
    });
  });

  it("judges the type by the bytes, not the declared Content-Type", async () => {
    const gif = Uint8Array.from(atob("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="), (c) => c.charCodeAt(0));
    const { response, task } = await upload({ bytes: gif });
    expect(response.status).toBe(202);
    expect(task.image).toMatchObject({ contentType: "image/gif", width: 1, height: 1 });
  });

  it("refuses a text file declared as PNG with 415", async () => {
    await expectRefused(() => postImage({ bytes: new TextEncoder().encode("hello, I am not a picture") }), 415, "unsupported_media_type");
  });

  it("refuses a body type it does not take with 415", async () => {
    await expectRefused(
      () => api("/v1/tasks", { method: "POST", headers: { ...asClient(), "content-type": "application/json" }, body: "{}" }),
      415,
      "unsupported_media_type",
    );
  });

  it("refuses an empty body with 400", async () => {
    await expectRefused(() => postImage({ bytes: new Uint8Array() }), 400, "invalid_request");
  });

  it("refuses a body over MAX_UPLOAD_BYTES from its Content-Length with 413", async () => {
    const big = new Uint8Array(64 * 1024 + 1);
    big.set(RED_PNG);
    const body = await expectRefused(() => postImage({ bytes: big }), 413, "payload_too_large");
    expect(body.error).toMatchObject({ details: { maxBytes: 64 * 1024 } });
  });

  it("refuses an oversize streamed body without a Content-Length with 413", async () => {
    const chunk = new Uint8Array(16 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        controller.enqueue(sent === chunk.byteLength ? RED_PNG : chunk);
        // Far more than the limit is on offer; the Worker must stop reading long before the end.
        if (sent >= 1024 * 1024) controller.close();
      },
    });
    await expectRefused(
      () =>
        api("/v1/tasks", {
          method: "POST",
          headers: { ...asClient(), "content-type": "image/png" },
          body: stream,
          duplex: "half",
        } as RequestInit),
      413,
      "payload_too_large",
    );
    expect(sent).toBeLessThan(1024 * 1024);
  });

  it("refuses an oversize image inside multipart with 413", async () => {
    const form = new FormData();
    const big = new Uint8Array(64 * 1024 + 10);
    big.set(RED_PNG);
    form.set("image", new File([big], "big.png"));
    await expectRefused(() => api("/v1/tasks", { method: "POST", headers: asClient(), body: form }), 413, "payload_too_large");
  });

  it("refuses metadata that is not a JSON object, or over 8 KiB, with 400", async () => {
    for (const metadata of ["[1,2]", "not json", JSON.stringify({ blob: "x".repeat(8 * 1024) })]) {
      const form = new FormData();
      form.set("image", new File([RED_PNG], "red.png"));
      form.set("metadata", metadata);
      await expectRefused(() => api("/v1/tasks", { method: "POST", headers: asClient(), body: form }), 400, "invalid_request");
    }
  });

  it("refuses a raw body that ends before its Content-Length with 400, and writes nothing, not even its Idempotency-Key", async () => {
    const headers = { ...asClient(), "content-type": "image/png", "idempotency-key": "order-broken-raw" };
    const body = await expectRefused(
      () =>
        api("/v1/tasks", {
          method: "POST",
          headers,
          body: brokenOff(RED_PNG.slice(0, 20), RED_PNG.byteLength),
          duplex: "half",
        } as RequestInit),
      400,
      "invalid_request",
    );
    expect(body).toEqual(BROKEN_OFF);
    // The key was never reserved: a whole upload under it is a first request, not a replay or a conflict.
    const retry = await postImage({ headers: { "idempotency-key": "order-broken-raw" } });
    expect(retry.status).toBe(202);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });

  it("refuses a multipart body that ends before its Content-Length with 400 and writes nothing", async () => {
    const form = new FormData();
    form.set("image", new File([RED_PNG], "red.png", { type: "image/png" }));
    const whole = new Request(ORIGIN, { method: "POST", body: form });
    const bytes = new Uint8Array(await whole.arrayBuffer());
    const headers = { ...asClient(), "content-type": whole.headers.get("content-type")! };
    const body = await expectRefused(
      () =>
        api("/v1/tasks", {
          method: "POST",
          headers,
          body: brokenOff(bytes.slice(0, bytes.byteLength - 40), bytes.byteLength),
          duplex: "half",
        } as RequestInit),
      400,
      "invalid_request",
    );
    expect(body).toEqual(BROKEN_OFF);
  });

  it("refuses multipart without an image field with 400", async () => {
    const form = new FormData();
    form.set("metadata", "{}");
    await expectRefused(() => api("/v1/tasks", { method: "POST", headers: asClient(), body: form }), 400, "invalid_request");
  });

  it("refuses a missing or unknown client key with 401", async () => {
    await expectRefused(
      () => api("/v1/tasks", { method: "POST", headers: { "content-type": "image/png" }, body: RED_PNG }),
      401,
      "unauthorized",
    );
    await expectRefused(() => postImage({ headers: { authorization: "Bearer not-a-key" } }), 401, "unauthorized");
  });

  it.each([
    ["plain http to a public host", "http://example.com/hook"],
    ["userinfo", "https://user:pass@example.com/hook"],
    ["a private IPv4 address", "https://10.0.0.5/hook"],
    ["a 192.168 address", "https://192.168.1.1/hook"],
    ["a 172.16/12 address", "https://172.20.0.1/hook"],
    ["link-local metadata", "https://169.254.169.254/latest/meta-data"],
    ["metadata in decimal", "https://2852039166/latest"],
    ["metadata in hex", "https://0xa9fea9fe/latest"],
    ["metadata in octal", "https://0251.0376.0251.0376/latest"],
    ["carrier-grade NAT", "https://100.64.0.1/hook"],
    ["multicast", "https://224.0.0.1/hook"],
    ["the unspecified address", "https://0.0.0.0/hook"],
    ["IPv6 unique local", "https://[fd00::1]/hook"],
    ["IPv6 link-local", "https://[fe80::1]/hook"],
    ["IPv6 multicast", "https://[ff02::1]/hook"],
    ["IPv4-mapped IPv6 private", "https://[::ffff:10.0.0.1]/hook"],
    ["IPv4-mapped IPv6 metadata", "https://[::ffff:a9fe:a9fe]/hook"],
    ["a cloud metadata name", "https://metadata.google.internal/computeMetadata"],
    ["a non-http scheme", "ftp://example.com/hook"],
    ["not a URL", "not a url"],
  ])("refuses a callbackUrl with %s (422) and writes nothing", async (_, callbackUrl) => {
    await expectRefused(() => postImage({ callbackUrl }), 422, "invalid_callback_url");
  });

  it("accepts plain-http loopback callbacks when ALLOW_LOOPBACK_CALLBACKS is true", async () => {
    const { response } = await upload({ callbackUrl: "http://127.0.0.1:9/hook" });
    expect(response.status).toBe(202);
  });

  it("replays the same task for the same Idempotency-Key and content", async () => {
    const headers = { "idempotency-key": "order-1001" };
    const first = await upload({ headers });
    const second = await upload({ headers });

    expect(second.response.status).toBe(202);
    expect(second.response.headers.get("idempotent-replayed")).toBe("true");
    expect(first.response.headers.get("idempotent-replayed")).toBeNull();
    expect(second.task).toEqual(first.task);
  });

  it("refuses a reused Idempotency-Key with different content (422) and writes nothing", async () => {
    const headers = { "idempotency-key": "order-1002" };
    await createTask({ headers });
    await expectRefused(() => postImage({ headers, bytes: solidPng(8, 8, [0, 0, 255]) }), 422, "idempotency_key_reused");
  });

  it("gives concurrent uploads with one Idempotency-Key one task", async () => {
    const headers = { "idempotency-key": "order-1003" };
    const results = await Promise.all(Array.from({ length: 5 }, () => upload({ headers })));
    expect(new Set(results.map((result) => result.task.taskId)).size).toBe(1);
    expect(results.map((result) => result.response.status)).toEqual([202, 202, 202, 202, 202]);
  });

  it("refuses an Idempotency-Key over 255 characters with 400", async () => {
    await expectRefused(() => postImage({ headers: { "idempotency-key": "k".repeat(256) } }), 400, "invalid_request");
  });

  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["only a tab", "\t"],
  ])("refuses an Idempotency-Key that is %s with 400 and writes nothing", async (_, key) => {
    const body = await expectRefused(() => postImage({ headers: { "idempotency-key": key } }), 400, "invalid_request");
    expect(body).toEqual({
      error: {
        code: "invalid_request",
        message: "The request is not valid.",
        details: { issues: [{ path: "idempotency-key", message: "Idempotency-Key must not be empty or only whitespace." }] },
      },
    });
  });
});

describe("GET /v1/tasks/:id", () => {
  it("returns the task with an ETag, and 304 for If-None-Match", async () => {
    const task = await createTask();
    const response = await api(`/v1/tasks/${task.taskId}`, { headers: asClient() });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(task);
    const etag = response.headers.get("etag");
    expect(etag).toBeTruthy();

    const again = await api(`/v1/tasks/${task.taskId}`, { headers: { ...asClient(), "if-none-match": etag! } });
    expect(again.status).toBe(304);
  });

  it("answers 404 for another client's task, exactly as for a missing one", async () => {
    const task = await createTask();
    const other = await api(`/v1/tasks/${task.taskId}`, { headers: asClient(OTHER_CLIENT_KEY) });
    const missing = await api("/v1/tasks/tsk_00000000000000000000000000000000", { headers: asClient() });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await other.json()).toEqual(await missing.json());
  });

  it("answers 404 for a malformed id and 401 without a key", async () => {
    expect((await api("/v1/tasks/nope", { headers: asClient() })).status).toBe(404);
    const response = await api("/v1/tasks/nope");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
  });
});

describe("GET /v1/tasks/:id/image", () => {
  it("returns the stored bytes with their content type to the owner only, and 401 without a key", async () => {
    const task = await createTask();
    const response = await api(`/v1/tasks/${task.taskId}/image`, { headers: asClient() });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(RED_PNG);

    const other = await api(`/v1/tasks/${task.taskId}/image`, { headers: asClient(OTHER_CLIENT_KEY) });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("task_not_found");

    const anonymous = await api(`/v1/tasks/${task.taskId}/image`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });
});
