// The upload pre-screen through the real Images binding: facts from a thumbnail, hostile images that cannot hurt it.
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { encode as encodePng } from "fast-png";
import { encode as encodeJpeg } from "jpeg-js";
import { GifWriter } from "omggif";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  gifWithEmptyFrames,
  pngClaiming,
  pngIdatBomb,
  pngWithIccpBomb,
  pngWithSecondIhdr,
  progressiveJpegWithScans,
  webpWithHugeFrame,
} from "../../test/support/hostile-images.ts";
import { colourName } from "../src/domain/colours.ts";
import { probeImage } from "../src/domain/image-probe.ts";
import type { Prescreen } from "../src/domain/prescreen.ts";
import type { Tag, TaskRecord } from "../src/domain/task.ts";
import worker from "../src/index.ts";
import { PRESCREEN_ATTEMPTS } from "../src/queues/prescreen-consumer.ts";
import { readImage } from "../src/services/prescreen.ts";
import { api, asReviewer, createQueuedTask, createTask, gateOf } from "./support/api.ts";

type Rgba = [number, number, number, number];
const RED: Rgba = [230, 20, 20, 255];
const BLUE: Rgba = [20, 40, 220, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const GREEN: Rgba = [30, 160, 40, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

function paint(width: number, height: number, colourAt: (x: number, y: number) => Rgba): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colourAt(x, y), (y * width + x) * 4);
  return data;
}

const png = (width: number, height: number, colourAt: (x: number, y: number) => Rgba) =>
  encodePng({ width, height, data: paint(width, height, colourAt) });

const jpeg = (width: number, height: number, colourAt: (x: number, y: number) => Rgba) =>
  new Uint8Array(encodeJpeg({ width, height, data: paint(width, height, colourAt) }, 90).data);

// A GIF whose pixels are indexes into `palette` (0xRRGGBB colours).
function gif(width: number, height: number, palette: number[], indexAt: (x: number, y: number) => number, transparent?: number) {
  const out = new Uint8Array(1024 + width * height * 2);
  const writer = new GifWriter(out, width, height, { palette });
  const pixels = Array.from({ length: width * height }, (_, i) => indexAt(i % width, Math.floor(i / width)));
  writer.addFrame(0, 0, width, height, pixels, transparent === undefined ? {} : { transparent });
  return out.slice(0, writer.end());
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

// 24x12, left half (20,40,220), right half white: `cwebp -lossless` and `cwebp -q 90` (libwebp 1.2).
const HALVES_WEBP_LOSSLESS = hex("524946462a000000574542505650384c1e0000002f17c002000ff094ff57fcbffb7ffee3014202c203ffd7ea1644f43f9201");
const HALVES_WEBP_LOSSY = hex(
  "52494646640000005745425056503820580000009003009d012a18000c003e31148842a22121180400200304a007600a00157ffb80006e380000feef387fff906c7fff207bffc82caffffad83ffaa23e826efdfffd6c1fe8dbe826efdfffff20c0551d2fe0a644b520000000",
);

/** What the pre-screen reads from `bytes`, with the header facts the upload's probe found. */
async function read(bytes: Uint8Array) {
  const header = probeImage(bytes);
  if (!header) throw new Error("the fixture is not an image the upload accepts");
  return readImage(env, bytes, header);
}

async function tagsOf(bytes: Uint8Array): Promise<Tag[]> {
  const reading = await read(bytes);
  if (!reading.ok) throw new Error(reading.reason);
  return reading.analysis.tags;
}

const colours = (tags: Tag[]) => tags.filter((tag) => tag.source === "colour");
const halves = (x: number, width: number) => (x < width / 2 ? BLUE : WHITE);

function expectBlueAndWhiteHalves(tags: Tag[]) {
  expect(
    colours(tags)
      .map((tag) => tag.label)
      .sort(),
  ).toEqual(["blue", "white"]);
  for (const tag of colours(tags)) expect(tag.score).toBeCloseTo(0.5, 1);
}

describe("reading an image through the Images binding", () => {
  it("tags a red landscape PNG as png, landscape and red, with a perceptual hash", async () => {
    const reading = await read(png(64, 32, () => RED));
    expect(reading).toEqual({
      ok: true,
      analysis: {
        tags: [
          { label: "png", score: 1, source: "format" },
          { label: "landscape", score: 1, source: "geometry" },
          { label: "red", score: 1, source: "colour" },
        ],
        perceptualHash: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
    });
  });

  it("finds blue and white, about half each, in a half-blue half-white PNG", async () => {
    expectBlueAndWhiteHalves(await tagsOf(png(40, 24, (x) => halves(x, 40))));
  });

  it("reads JPEG, GIF and lossless and lossy WebP", async () => {
    const cases: [Uint8Array, string, string][] = [
      [jpeg(40, 24, (x) => halves(x, 40)), "jpeg", "landscape"],
      [gif(20, 40, [0x1428dc, 0xffffff], (x) => (x < 10 ? 0 : 1)), "gif", "portrait"],
      [HALVES_WEBP_LOSSLESS, "webp", "landscape"],
      [HALVES_WEBP_LOSSY, "webp", "landscape"],
    ];
    for (const [bytes, format, orientation] of cases) {
      const tags = await tagsOf(bytes);
      expect(tags.slice(0, 2)).toEqual([
        { label: format, score: 1, source: "format" },
        { label: orientation, score: 1, source: "geometry" },
      ]);
      expectBlueAndWhiteHalves(tags);
    }
  });

  it("reads palette, 16-bit, 1-bit greyscale and interlaced PNGs", async () => {
    const palette = encodePng({ width: 8, height: 8, channels: 1, depth: 8, palette: [[0, 160, 40]], data: new Uint8Array(64) });
    expect(colours(await tagsOf(palette))).toEqual([{ label: "green", score: 1, source: "colour" }]);

    const deep = encodePng({ width: 8, height: 8, channels: 3, depth: 16, data: new Uint16Array(192).fill(65535) });
    expect(colours(await tagsOf(deep))).toEqual([{ label: "white", score: 1, source: "colour" }]);

    // Each byte 0x0f: four black pixels then four white ones.
    const bits = encodePng({ width: 8, height: 4, channels: 1, depth: 1, data: new Uint8Array(4).fill(0x0f) });
    expect(
      colours(await tagsOf(bits))
        .map((tag) => tag.label)
        .sort(),
    ).toEqual(["black", "white"]);

    const interlaced = encodePng({ width: 16, height: 16, data: paint(16, 16, () => BLUE) }, { interlace: "Adam7" });
    expect(colours(await tagsOf(interlaced))).toEqual([{ label: "blue", score: 1, source: "colour" }]);
  });

  it("calls an image square when its sides are within 5% and portrait when it is taller", async () => {
    const geometry = async (bytes: Uint8Array) => (await tagsOf(bytes)).find((tag) => tag.source === "geometry")?.label;
    expect(await geometry(png(100, 100, () => RED))).toBe("square");
    expect(await geometry(png(100, 104, () => RED))).toBe("square");
    expect(await geometry(png(30, 60, () => RED))).toBe("portrait");
  });

  it("ignores transparent pixels when measuring colours, in a PNG and a GIF", async () => {
    expect(colours(await tagsOf(png(40, 40, (x) => (x < 30 ? CLEAR : RED))))).toEqual([{ label: "red", score: 1, source: "colour" }]);
    const transparentGif = gif(20, 10, [0x000000, 0xe61414], (x) => (x < 15 ? 0 : 1), 0);
    expect(colours(await tagsOf(transparentGif))).toEqual([{ label: "red", score: 1, source: "colour" }]);
  });

  it("leaves out colours that cover less than a tenth of the image, and sorts the rest largest first", async () => {
    expect(colours(await tagsOf(png(100, 10, (x) => (x < 5 ? RED : WHITE))))).toEqual([
      { label: "white", score: expect.closeTo(0.95, 1), source: "colour" },
    ]);
    const tags = await tagsOf(png(100, 10, (x) => (x < 70 ? WHITE : BLUE)));
    expect(tags.map((tag) => tag.label)).toEqual(["png", "landscape", "white", "blue"]);
    expect(tags.map((tag) => tag.score)).toEqual([1, 1, expect.closeTo(0.7, 1), expect.closeTo(0.3, 1)]);
  });

  it("measures each share of a 12-megapixel image from its thumbnail", async () => {
    const tags = await tagsOf(png(4200, 3000, (x) => (x < 1400 ? RED : x < 2800 ? GREEN : WHITE)));
    expect(
      colours(tags)
        .map((tag) => tag.label)
        .sort(),
    ).toEqual(["green", "red", "white"]);
    for (const tag of colours(tags)) expect(tag.score).toBeCloseTo(1 / 3, 1);
  });

  it("says why, naming the format, when the pixels are cut short or corrupt", async () => {
    const jpegBytes = jpeg(40, 24, (x) => halves(x, 40));
    const pngBytes = png(40, 24, (x) => halves(x, 40));
    const altered = pngBytes.slice();
    altered[altered.length - 20] = (altered[altered.length - 20] ?? 0) ^ 0xff; // inside IDAT: its CRC no longer matches
    const gifBytes = gif(20, 40, [0x1428dc, 0xffffff], (x) => (x < 10 ? 0 : 1));
    const cases: [Uint8Array, string][] = [
      [jpegBytes.subarray(0, jpegBytes.length - 200), "image/jpeg"],
      [pngBytes.subarray(0, pngBytes.length - 20), "image/png"],
      [altered, "image/png"],
      [gifBytes.subarray(0, 30), "image/gif"],
      [HALVES_WEBP_LOSSY.subarray(0, HALVES_WEBP_LOSSY.length - 40), "image/webp"],
    ];
    for (const [bytes, contentType] of cases) {
      const reading = await read(bytes);
      expect(reading).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`^cannot decode ${contentType}: .+`)) });
    }
  });

  it("gives facts or a reason, never an exception, for randomly corrupted bytes of every format", async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const fixtures = [
      png(40, 24, (x) => halves(x, 40)),
      jpeg(40, 24, (x) => halves(x, 40)),
      gif(40, 24, [0x1428dc, 0xffffff], (x) => (x < 20 ? 0 : 1)),
      HALVES_WEBP_LOSSLESS,
      HALVES_WEBP_LOSSY,
    ];
    for (const fixture of fixtures) {
      for (let round = 0; round < 20; round++) {
        const bytes = fixture.slice();
        // Past the first 30 bytes, so the header still probes as the upload would accept it.
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
          bytes[30 + Math.floor(random() * (bytes.length - 30))] = Math.floor(random() * 256);
        }
        if (!probeImage(bytes)) continue;
        const reading = await read(bytes);
        if (reading.ok) expect(reading.analysis.tags.length).toBeGreaterThanOrEqual(2);
        else expect(reading.reason).toMatch(/^cannot decode image\/(png|jpeg|gif|webp): /);
      }
    }
  });

  it("does not send an image whose header is past the Images service's limits", async () => {
    expect(await read(pngClaiming(20_000, 20_000))).toEqual({
      ok: false,
      reason: "cannot decode image/png: 20000x20000 is more than the Images service reads (100 MP, 12000 pixels a side)",
    });
  });
});

/** Uploads through the API and returns the pre-screen stored in the task's record once it is queued. */
async function prescreenOfUpload(bytes: Uint8Array): Promise<Prescreen> {
  const task = await createQueuedTask({ bytes, headers: { "content-type": probeImage(bytes)?.contentType ?? "image/png" } });
  const record = (await env.TASKS.get(`task:v1:${task.taskId}`, "json")) as { prescreen: Prescreen };
  return record.prescreen;
}

describe("hostile uploads", () => {
  // Each was built to make a decoder inside the Worker use gigabytes or minutes; each must still become reviewable.
  const hostile: [string, () => Uint8Array][] = [
    ["an animated WebP with a 1x1 canvas and a 16384x16384 first frame", () => webpWithHugeFrame()],
    ["a PNG with a second IHDR claiming 20000x20000", () => pngWithSecondIhdr()],
    ["a PNG whose ICC profile inflates to 48 MiB", () => pngWithIccpBomb(48 * 2 ** 20)],
    ["a 7000x7000 PNG whose image data inflates to 49 MB", () => pngIdatBomb(7000, 7000)],
    ["a progressive JPEG with 1,600 scans", () => progressiveJpegWithScans(1600)],
    ["a GIF with 5,000 empty frames", () => gifWithEmptyFrames(5000)],
  ];

  it.each(hostile)("accepts %s and queues it for review with facts or the reason there are none", async (_, build) => {
    const bytes = build();
    expect(bytes.byteLength).toBeLessThanOrEqual(64 * 1024);
    const prescreen = await prescreenOfUpload(bytes);
    const format = probeImage(bytes)!.contentType.slice("image/".length);
    expect(prescreen.facts[0]).toEqual({ label: format, score: 1, source: "format" });
    if (prescreen.unreadable === null) {
      expect(prescreen.perceptualHash).toMatch(/^[0-9a-f]{16}$/);
    } else {
      expect(prescreen).toEqual({
        facts: prescreen.facts,
        perceptualHash: null,
        nearDuplicates: [],
        unreadable: expect.stringMatching(/^cannot decode image\/\w+: .+/),
      });
    }
  });

  it("still reads an ordinary 8-megapixel photo-sized upload: colours and a hash", async () => {
    const prescreen = await prescreenOfUpload(png(3264, 2448, (x) => (x < 1632 ? BLUE : WHITE)));
    expect(prescreen.unreadable).toBeNull();
    expect(prescreen.perceptualHash).toMatch(/^[0-9a-f]{16}$/);
    expect(
      colours(prescreen.facts)
        .map((tag) => tag.label)
        .sort(),
    ).toEqual(["blue", "white"]);
  });
});

describe("the pre-screen job", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const recordOf = async (taskId: string) => (await env.TASKS.get(`task:v1:${taskId}`, "json")) as TaskRecord;
  const pendingKeys = async (createdAt: string, taskId: string) =>
    (await env.TASKS.list({ prefix: `pending:v1:${createdAt}:${taskId}` })).keys.length;

  /** Delivers one job for the task to the Worker's queue handler, as its `attempt`th try. */
  async function deliver(taskId: string, attempts: number) {
    const batch = createMessageBatch("greenlight-prescreen", [
      { id: `job-${attempts}`, timestamp: Date.now(), attempts, body: { taskId } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    return getQueueResult(batch, ctx);
  }

  it("retries a job that fails before its last attempt, and stores nothing", async () => {
    const task = await createTask();
    // The upload's own job may have run already; this one meets an R2 outage.
    await env.TASKS.put(`task:v1:${task.taskId}`, JSON.stringify({ clientId: "demo", task, prescreen: null }));
    vi.spyOn(env.IMAGES, "get").mockRejectedValue(new Error("R2 is unavailable"));
    expect(await deliver(task.taskId, 2)).toMatchObject({ explicitAcks: [], retryMessages: [{ msgId: "job-2" }] });
    expect((await recordOf(task.taskId)).prescreen).toBeNull();
  });

  it("on its last attempt stores why there are no facts, and still queues the task for reviewers", async () => {
    const task = await createTask();
    await env.TASKS.put(`task:v1:${task.taskId}`, JSON.stringify({ clientId: "demo", task, prescreen: null }));
    vi.spyOn(env.IMAGES, "get").mockRejectedValue(new Error("R2 is unavailable"));
    expect(await deliver(task.taskId, PRESCREEN_ATTEMPTS)).toMatchObject({
      explicitAcks: [`job-${PRESCREEN_ATTEMPTS}`],
      retryMessages: [],
    });
    expect((await recordOf(task.taskId)).prescreen).toEqual({
      facts: [
        { label: "png", score: 1, source: "format" },
        { label: "landscape", score: 1, source: "geometry" },
      ],
      perceptualHash: null,
      nearDuplicates: [],
      unreadable: "the pre-screen did not finish: R2 is unavailable",
    });
    expect(await pendingKeys(task.createdAt, task.taskId)).toBe(1);
  });

  it("acknowledges a message it cannot read rather than retry it", async () => {
    const batch = createMessageBatch("greenlight-prescreen", [
      { id: "garbage", timestamp: Date.now(), attempts: 1, body: { taskId: "../etc" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["garbage"], retryMessages: [] });
  });

  it("is asked for again by the task's gate when the upload's job was lost, and the task becomes reviewable", async () => {
    // The queue drops the upload's job; the gate's alarm, due five minutes later, sends it again.
    const send = vi.spyOn(env.PRESCREENS, "send").mockResolvedValueOnce(undefined as never);
    const task = await createTask();
    expect(send).toHaveBeenCalledTimes(1);
    expect(await pendingKeys(task.createdAt, task.taskId)).toBe(0);
    send.mockRestore();

    expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
    await vi.waitFor(async () => expect(await pendingKeys(task.createdAt, task.taskId)).toBe(1), { timeout: 10_000 });
    expect((await recordOf(task.taskId)).prescreen).toMatchObject({
      unreadable: null,
      perceptualHash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });
  it("does nothing when repeated after it finished, so an announced task does not become claimable again", async () => {
    const task = await createQueuedTask();
    await vi.waitFor(async () => expect(await gateOf(task.taskId).prescreenHeard()).toBe(true));
    const announced = await api(`/v1/reviews/${task.taskId}/announcement`, {
      method: "POST",
      headers: { ...asReviewer(), "content-type": "application/json" },
      body: JSON.stringify({ channel: "C123", messageTs: "1700000000.000100" }),
    });
    expect(announced.status).toBe(204);
    const claimable = `claimable:v1:${task.createdAt}:${task.taskId}`;
    expect((await env.TASKS.list({ prefix: claimable })).keys).toEqual([]);
    const before = await recordOf(task.taskId);

    expect(await deliver(task.taskId, 1)).toMatchObject({ explicitAcks: ["job-1"], retryMessages: [] });
    expect((await env.TASKS.list({ prefix: claimable })).keys).toEqual([]);
    expect(await recordOf(task.taskId)).toEqual(before);
  });

  it("is asked for again less often each time it stays missing: after 5, 10, 20 and 40 minutes, then hourly", async () => {
    const send = vi.spyOn(env.PRESCREENS, "send").mockResolvedValue(undefined as never);
    const task = await createTask();
    const alarmIn = async () => {
      const at = await runInDurableObject(gateOf(task.taskId), (_, state) => state.storage.getAlarm());
      return Math.round(((at ?? 0) - Date.now()) / 60_000);
    };
    const waits = [await alarmIn()];
    for (let chase = 0; chase < 6; chase++) {
      expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
      waits.push(await alarmIn());
    }
    expect(waits).toEqual([5, 10, 20, 40, 60, 60, 60]);
    // The upload's job and one for each chase.
    expect(send).toHaveBeenCalledTimes(7);
  });
});

describe("colourName", () => {
  it.each([
    [[255, 0, 0], "red"],
    [[255, 165, 0], "orange"],
    [[255, 215, 0], "yellow"],
    [[0, 128, 0], "green"],
    [[0, 128, 128], "cyan"],
    [[0, 0, 255], "blue"],
    [[128, 0, 128], "purple"],
    [[255, 105, 180], "pink"],
    [[255, 192, 203], "pink"],
    [[139, 69, 19], "brown"],
    [[10, 10, 10], "black"],
    [[250, 250, 250], "white"],
    [[128, 128, 128], "gray"],
  ] as const)("names %j %s", ([r, g, b], name) => {
    expect(colourName(r, g, b)).toBe(name);
  });
});
