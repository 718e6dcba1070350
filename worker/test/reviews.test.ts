// Reviewer tooling: the pending list, exclusive claims with a lease, announcements and preview URLs.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ReviewItem } from "../src/domain/review.ts";
import { api, asReviewer, BROKEN_OFF, brokenOff, createQueuedTask, decide, decisionToken, waitForTask } from "./support/api.ts";
import { patternPng, RED_PNG, truncatedPng } from "./support/images.ts";

const claim = (limit: number) =>
  api("/v1/reviews/claim", {
    method: "POST",
    headers: { ...asReviewer(), "content-type": "application/json" },
    body: JSON.stringify({ limit }),
  });

const claimIds = async (limit: number) => ((await (await claim(limit)).json()) as { items: ReviewItem[] }).items.map((item) => item.taskId);

const announce = (taskId: string, body: unknown = { channel: "C123", messageTs: "1700000000.000100" }) =>
  api(`/v1/reviews/${taskId}/announcement`, {
    method: "POST",
    headers: { ...asReviewer(), "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** A body sent as a stream, so it arrives without a Content-Length and the limit must count it as it comes. */
const streamed = (text: string) => new Blob([text]).stream();

const postJson = (path: string, body: BodyInit) =>
  api(path, { method: "POST", headers: { ...asReviewer(), "content-type": "application/json" }, body, duplex: "half" } as RequestInit);

const TOO_LARGE = { error: { code: "payload_too_large", message: "The body must be at most 4096 bytes.", details: { maxBytes: 4096 } } };

async function announcementOf(taskId: string) {
  const response = await api(`/v1/reviews/${taskId}`, { headers: asReviewer() });
  return ((await response.json()) as { announcement: unknown }).announcement;
}

async function listAll(): Promise<ReviewItem[]> {
  const response = await api("/v1/reviews?limit=100", { headers: asReviewer() });
  return ((await response.json()) as { items: ReviewItem[] }).items;
}

// Storage is shared by the tests of one file, so each test drains what earlier ones left claimable.
async function drain() {
  while ((await claimIds(100)).length > 0);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("GET /v1/reviews", () => {
  it("lists pending tasks oldest first with a cursor, and drops decided ones", async () => {
    const first = await createQueuedTask();
    const second = await createQueuedTask();
    const third = await createQueuedTask();
    await decide(await decisionToken(second.taskId, "reject"));
    await waitForTask(second.taskId, (t) => t.status === "rejected");

    const seen: ReviewItem[] = [];
    let cursor: string | null = null;
    do {
      const response: Response = await api(`/v1/reviews?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
        headers: asReviewer(),
      });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { items: ReviewItem[]; nextCursor: string | null };
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);

    const ids = seen.map((item) => item.taskId);
    expect(ids.indexOf(first.taskId)).toBeLessThan(ids.indexOf(third.taskId));
    expect(ids).not.toContain(second.taskId);
    expect(seen.find((item) => item.taskId === first.taskId)).toEqual({
      taskId: first.taskId,
      createdAt: first.createdAt,
      reviewDeadline: first.reviewDeadline,
      client: "demo",
      metadata: {},
      image: {
        contentType: "image/png",
        bytes: RED_PNG.byteLength,
        width: 64,
        height: 32,
        previewUrl: expect.stringMatching(/^https:\/\/greenlight\.test\/v1\/images\/tsk_\w+\?expires=\d+&sig=[\w-]+$/),
      },
      prescreen: {
        facts: [
          { label: "png", score: 1, source: "format" },
          { label: "landscape", score: 1, source: "geometry" },
          { label: "red", score: 1, source: "colour" },
        ],
        perceptualHash: expect.stringMatching(/^[0-9a-f]{16}$/),
        nearDuplicates: expect.any(Array),
        unreadable: null,
      },
      approvals: [],
      approvalsRequired: 1,
      stages: [],
    });
  });

  it("refuses a bad limit with 400 and a missing token with 401", async () => {
    const bad = await api("/v1/reviews?limit=0", { headers: asReviewer() });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    const anonymous = await api("/v1/reviews");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
  });
});

describe("the pre-screen", () => {
  it("points a reviewer at earlier uploads of the same picture, even re-encoded at another size", async () => {
    const original = await createQueuedTask({ bytes: patternPng(64, 48, 1) });
    const resized = await createQueuedTask({ bytes: patternPng(160, 120, 1) });
    const different = await createQueuedTask({ bytes: patternPng(64, 48, 2) });

    const items = await listAll();
    const itemOf = (taskId: string) => items.find((item) => item.taskId === taskId)!;
    expect(itemOf(resized.taskId).prescreen!.nearDuplicates).toContainEqual({ taskId: original.taskId, distance: expect.any(Number) });
    expect(itemOf(resized.taskId).prescreen!.nearDuplicates[0]!.distance).toBeLessThanOrEqual(2);
    expect(itemOf(different.taskId).prescreen!.nearDuplicates.map((near) => near.taskId)).not.toContain(original.taskId);
  });

  it("keeps one index entry a band for a picture uploaded again and again, pointing at its newest uploads", async () => {
    const picture = patternPng(64, 48, 7);
    const uploads: string[] = [];
    for (let round = 0; round < 8; round++) uploads.push((await createQueuedTask({ bytes: picture })).taskId);

    const items = await listAll();
    const latest = items.find((item) => item.taskId === uploads.at(-1))!;
    const hash = latest.prescreen!.perceptualHash!;
    // The five newest earlier uploads, all at distance 0, whatever the number of repeats.
    expect(latest.prescreen!.nearDuplicates).toEqual(
      uploads
        .slice(-6, -1)
        .sort()
        .map((taskId) => ({ taskId, distance: 0 })),
    );
    for (let band = 0; band < 4; band++) {
      const entries = await env.TASKS.list<{ taskIds: string[] }>({ prefix: `phash:v2:${band}:${hash.slice(band * 4, band * 4 + 4)}:` });
      expect(entries.keys.map((key) => key.name)).toEqual([`phash:v2:${band}:${hash.slice(band * 4, band * 4 + 4)}:${hash}`]);
      expect(entries.keys[0]!.metadata!.taskIds).toEqual(uploads.slice(-5).reverse());
    }
  });

  it("still queues an image whose pixels cannot be read, with what its header tells and why", async () => {
    const task = await createQueuedTask({ bytes: truncatedPng() });
    const item = (await listAll()).find((candidate) => candidate.taskId === task.taskId)!;
    expect(item.prescreen).toEqual({
      facts: [
        { label: "png", score: 1, source: "format" },
        { label: "square", score: 1, source: "geometry" },
      ],
      perceptualHash: null,
      nearDuplicates: [],
      unreadable: expect.stringMatching(/^cannot decode image\/png: /),
    });
  });
});

describe("POST /v1/reviews/claim", () => {
  it("hands each pending task to exactly one of many concurrent claimers", async () => {
    await drain();
    const tasks = await Promise.all(Array.from({ length: 6 }, () => createQueuedTask()));
    const claims = await Promise.all(Array.from({ length: 5 }, () => claimIds(3)));

    const all = claims.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(tasks.map((task) => task.taskId)));
  });

  it("claims oldest first, up to the limit", async () => {
    await drain();
    const older = await createQueuedTask();
    await createQueuedTask();
    expect(await claimIds(1)).toEqual([older.taskId]);
  });

  it("offers a claimed task again once its lease runs out unannounced, but never an announced one", async () => {
    await drain();
    const unannounced = await createQueuedTask();
    const announced = await createQueuedTask();
    expect(new Set(await claimIds(10))).toEqual(new Set([unannounced.taskId, announced.taskId]));
    expect((await announce(announced.taskId)).status).toBe(204);
    expect(await claimIds(10)).toEqual([]);

    vi.useFakeTimers({ now: Date.now() + 5 * 60 * 1000 + 1000, toFake: ["Date"] });
    // Tasks leased by earlier tests in this file come back too; the announced one never does.
    const reclaimed = await claimIds(100);
    expect(reclaimed).toContain(unannounced.taskId);
    expect(reclaimed).not.toContain(announced.taskId);
  });

  it("reads only tasks it may hand out: announced ones leave the claimable index, so their gates are never asked", async () => {
    await drain();
    const announced = await Promise.all(Array.from({ length: 8 }, () => createQueuedTask()));
    expect(new Set(await claimIds(100))).toEqual(new Set(announced.map((task) => task.taskId)));
    for (const task of announced) expect((await announce(task.taskId)).status).toBe(204);
    const fresh = await createQueuedTask();

    const gatesAsked = vi.spyOn(env.DECISIONS, "idFromName");
    expect(await claimIds(50)).toEqual([fresh.taskId]);
    // Earlier claims in this file still hold their leases, so their gates are asked; no announced task's is.
    const asked = gatesAsked.mock.calls.map(([name]) => name);
    gatesAsked.mockRestore();
    expect(asked).toContain(fresh.taskId);
    for (const task of announced) expect(asked).not.toContain(task.taskId);
    // Announced tasks are still pending, and still listed for reviewers.
    const keys = await env.TASKS.list({ prefix: "pending:v1:" });
    for (const task of announced) expect(keys.keys.map((key) => key.name)).toContain(`pending:v1:${task.createdAt}:${task.taskId}`);
    expect((await env.TASKS.list({ prefix: `claimable:v1:${announced[0]!.createdAt}:${announced[0]!.taskId}` })).keys).toEqual([]);
  });

  it("drops an entry written back for an announced task the first time it meets it, and never asks its gate again", async () => {
    await drain();
    const task = await createQueuedTask();
    expect(await claimIds(10)).toEqual([task.taskId]);
    expect((await announce(task.taskId)).status).toBe(204);
    // A write that crossed the announcement (a repeated pre-screen job) puts the task back in the claimable index.
    const claimable = `claimable:v1:${task.createdAt}:${task.taskId}`;
    await env.TASKS.put(claimable, "", { metadata: { taskId: task.taskId } });

    expect(await claimIds(10)).toEqual([]);
    expect((await env.TASKS.list({ prefix: claimable })).keys).toEqual([]);
    const gatesAsked = vi.spyOn(env.DECISIONS, "idFromName");
    expect(await claimIds(10)).toEqual([]);
    expect(gatesAsked.mock.calls.map(([name]) => name)).not.toContain(task.taskId);
    gatesAsked.mockRestore();
    // Still pending and listed: only the claimable entry went.
    expect((await listAll()).map((item) => item.taskId)).toContain(task.taskId);
  });

  it("does not hand out decided tasks", async () => {
    await drain();
    const task = await createQueuedTask();
    await decide(await decisionToken(task.taskId, "approve"));
    expect(await claimIds(10)).toEqual([]);
  });

  it("refuses a limit outside 1..100 or a body that is not JSON with 400", async () => {
    for (const body of [JSON.stringify({ limit: 0 }), JSON.stringify({ limit: 101 }), JSON.stringify({}), "nope"]) {
      const response = await api("/v1/reviews/claim", {
        method: "POST",
        headers: { ...asReviewer(), "content-type": "application/json" },
        body,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    }
    expect((await api("/v1/reviews/claim", { method: "POST", body: "{}" })).status).toBe(401);
  });
});

describe("JSON bodies of the review endpoints", () => {
  it("refuses a claim body that ends before its Content-Length with 400, and leases nothing", async () => {
    await drain();
    const task = await createQueuedTask();
    const text = new TextEncoder().encode(JSON.stringify({ limit: 10 }));
    const response = await postJson("/v1/reviews/claim", brokenOff(text.slice(0, 6), text.byteLength));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(BROKEN_OFF);
    expect(await claimIds(10)).toEqual([task.taskId]);
  });

  it("refuses an announcement body that ends before its Content-Length with 400, and records nothing", async () => {
    const task = await createQueuedTask();
    const text = new TextEncoder().encode(JSON.stringify({ channel: "C123", messageTs: "1700000000.000100" }));
    const response = await postJson(`/v1/reviews/${task.taskId}/announcement`, brokenOff(text.slice(0, 12), text.byteLength));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(BROKEN_OFF);
    expect(await announcementOf(task.taskId)).toBeNull();
  });

  // Padding a valid body: were it parsed, the extra field would be dropped and the request would succeed.
  const padded = (body: object) => JSON.stringify({ ...body, padding: "x".repeat(4096) });

  it.each([
    ["a Content-Length", (text: string) => text],
    ["no Content-Length (streamed)", streamed],
  ])("refuses a claim body over 4 KiB with %s with 413 before parsing it, and leases nothing", async (_, send) => {
    await drain();
    const task = await createQueuedTask();
    const response = await postJson("/v1/reviews/claim", send(padded({ limit: 10 })));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(TOO_LARGE);
    expect(await claimIds(10)).toEqual([task.taskId]);
  });

  it.each([
    ["a Content-Length", (text: string) => text],
    ["no Content-Length (streamed)", streamed],
  ])("refuses an announcement body over 4 KiB with %s with 413 before parsing it, and records nothing", async (_, send) => {
    const task = await createQueuedTask();
    const response = await postJson(
      `/v1/reviews/${task.taskId}/announcement`,
      send(padded({ channel: "C123", messageTs: "1700000000.000100" })),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(TOO_LARGE);
    expect(await announcementOf(task.taskId)).toBeNull();
  });

  it("lists the 413 among both routes' error responses in the OpenAPI document", async () => {
    const document = (await (await api("/openapi.json")).json()) as {
      paths: Record<string, { post: { responses: Record<string, unknown> } }>;
    };
    expect(Object.keys(document.paths["/v1/reviews/claim"]!.post.responses).sort()).toEqual(["200", "400", "401", "413", "429"]);
    expect(Object.keys(document.paths["/v1/reviews/{id}/announcement"]!.post.responses).sort()).toEqual([
      "204",
      "400",
      "401",
      "404",
      "413",
      "429",
    ]);
  });
});

describe("POST /v1/reviews/:id/announcement", () => {
  it("answers 204 for a known task, 404 for an unknown one, 400 for a bad body and 401 without the token", async () => {
    const task = await createQueuedTask();
    const ok = await announce(task.taskId);
    expect(ok.status).toBe(204);
    expect(await ok.text()).toBe("");

    const missing = await announce("tsk_00000000000000000000000000000000");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("task_not_found");
    expect((await announce(task.taskId, { channel: "" })).status).toBe(400);
    expect((await api(`/v1/reviews/${task.taskId}/announcement`, { method: "POST", body: "{}" })).status).toBe(401);
  });
});

describe("GET /v1/reviews/:id", () => {
  const status = (taskId: string) => api(`/v1/reviews/${taskId}`, { headers: asReviewer() });

  it("says a review is pending, and where it was announced", async () => {
    const task = await createQueuedTask();
    await announce(task.taskId, { channel: "C0REVIEWS", messageTs: "1700000000.000200" });
    const response = await status(task.taskId);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      taskId: task.taskId,
      status: "pending",
      reviewDeadline: task.reviewDeadline,
      decision: null,
      announcement: { channel: "C0REVIEWS", messageTs: "1700000000.000200" },
      approvals: [],
      approvalsRequired: 1,
      stages: [],
    });
  });

  it("names the winning decision the moment it wins, and the final status once tagged", async () => {
    const task = await createQueuedTask();
    const won = (await (await decide(await decisionToken(task.taskId, "approve", { reviewer: "grace" }))).json()) as { decision: unknown };
    expect(await (await status(task.taskId)).json()).toMatchObject({
      status: expect.stringMatching(/^(approved|completed)$/),
      decision: won.decision,
    });
    await waitForTask(task.taskId, (t) => t.status === "completed");
    expect(await (await status(task.taskId)).json()).toMatchObject({ status: "completed", decision: won.decision, announcement: null });
  });

  it("says expired once the deadline has passed, even before the workflow's timer fires", async () => {
    const task = await createQueuedTask();
    vi.useFakeTimers({ now: Date.parse(task.reviewDeadline) + 1000, toFake: ["Date"] });
    expect(await (await status(task.taskId)).json()).toMatchObject({ status: "expired", decision: null });
    vi.useRealTimers();
    expect((await decide(await decisionToken(task.taskId, "approve"))).status).toBe(409);
  });

  it("answers 404 for an unknown task and 401 without the reviewer token", async () => {
    const missing = await status("tsk_00000000000000000000000000000000");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("task_not_found");
    expect((await api("/v1/reviews/tsk_00000000000000000000000000000000")).status).toBe(401);
  });
});

describe("GET /v1/images/:id (signed preview)", () => {
  async function previewUrl() {
    await drain();
    const task = await createQueuedTask();
    const [item] = ((await (await claim(1)).json()) as { items: ReviewItem[] }).items;
    expect(item!.taskId).toBe(task.taskId);
    return new URL(item!.image.previewUrl);
  }

  it("serves the image to anyone holding the signed URL", async () => {
    const url = await previewUrl();
    const response = await api(url.pathname + url.search);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(RED_PNG);
  });

  it("refuses a tampered signature, another task's id, a changed expiry and an expired link with 403", async () => {
    const url = await previewUrl();
    const sig = url.searchParams.get("sig")!;
    const tampered = new URL(url);
    tampered.searchParams.set("sig", `${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`);
    const otherId = new URL(url);
    otherId.pathname = "/v1/images/tsk_00000000000000000000000000000000";
    const extended = new URL(url);
    extended.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 3600));
    const unsigned = new URL(url.pathname, url);

    for (const candidate of [tampered, otherId, extended, unsigned]) {
      const response = await api(candidate.pathname + candidate.search);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: { code: "invalid_signature", message: expect.any(String) } });
    }

    vi.useFakeTimers({ now: Number(url.searchParams.get("expires")) * 1000 + 1000, toFake: ["Date"] });
    expect((await api(url.pathname + url.search)).status).toBe(403);
  });
});
