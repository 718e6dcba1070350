// The local tagger as the Worker meets it: a real process on a free loopback port, real models, real photos.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineMatching, type StartedProcess, startProcess } from "../../scripts/lib/start-process.ts";
import { COUNT_THRESHOLD, FACE_BOX_THRESHOLD, OBJECT_THRESHOLD } from "./detection-tags.ts";
import type { Tag } from "../src/domain/tag.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");
const MODEL_SOURCES = new Set(["coco", "faces"]);

let server: StartedProcess<string>;
let baseUrl: string;

beforeAll(async () => {
  server = startProcess({
    what: "the tagger",
    args: ["--no-warnings", join(import.meta.dirname, "server.ts")],
    env: { PORT: "0" },
    ready: lineMatching(/local-tagger listening on (http:\/\/127\.0\.0\.1:\d+)/),
    readyTimeoutMs: 60_000,
    stopTimeoutMs: 10_000,
  });
  baseUrl = await server.ready;
}, 70_000);

afterAll(() => server?.stop());

async function post(body: Uint8Array | ReadableStream<Uint8Array>, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseUrl}/tag`, { method: "POST", body, ...init, headers: { "content-type": "application/octet-stream" } });
}

async function tagsOf(file: string): Promise<Tag[]> {
  const response = await post(await readFile(join(FIXTURES, file)));
  expect(response.status).toBe(200);
  return (await response.json()) as Tag[];
}

function find(tags: Tag[], label: string, source: string): Tag | undefined {
  return tags.find((tag) => tag.label === label && tag.source === source);
}

describe("local tagger", { timeout: 30_000 }, () => {
  it("answers /healthz with the models it loaded", async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, models: ["coco-centernet", "blazeface", "facemesh"] });
  });

  it("finds a person and one face in the astronaut's portrait", async () => {
    const tags = await tagsOf("astronaut.jpg");
    expect(find(tags, "person", "coco")?.score).toBeGreaterThanOrEqual(OBJECT_THRESHOLD);
    expect(find(tags, "face", "faces")).toMatchObject({ count: 1, score: expect.any(Number) });
    expect(find(tags, "face", "faces")?.score).toBeGreaterThanOrEqual(FACE_BOX_THRESHOLD);
    expect(find(tags, "jpeg", "format")).toBeDefined();
    expect(find(tags, "square", "geometry")).toBeDefined();
  });

  it("finds a person and a face in a greyscale GIF", async () => {
    const tags = await tagsOf("cameraman.gif");
    expect(find(tags, "person", "coco")?.score).toBeGreaterThanOrEqual(OBJECT_THRESHOLD);
    expect(find(tags, "face", "faces")?.count).toBe(1);
    expect(find(tags, "gif", "format")).toBeDefined();
  });

  it("finds the cat in a photo of a cat, and no face", async () => {
    const tags = await tagsOf("chelsea-the-cat.jpg");
    expect(find(tags, "cat", "coco")?.score).toBeGreaterThanOrEqual(OBJECT_THRESHOLD);
    expect(tags[0]?.label).toBe("cat"); // best first, like Workers AI: a client reading only the top label gets "cat"
    // BlazeFace alone takes a cat's face for a person's; FaceMesh must veto it.
    expect(find(tags, "face", "faces")).toBeUndefined();
  });

  it("finds the cup in a WebP photo of coffee", async () => {
    const tags = await tagsOf("coffee.webp");
    expect(find(tags, "cup", "coco")?.score).toBeGreaterThanOrEqual(OBJECT_THRESHOLD);
    expect(find(tags, "webp", "format")).toBeDefined();
    expect(find(tags, "face", "faces")).toBeUndefined();
  });

  it("counts several sheep in a flock under one tag", async () => {
    const tags = await tagsOf("march-pastoral.jpg");
    const sheep = tags.filter((tag) => tag.label === "sheep");
    expect(sheep).toHaveLength(1);
    expect(sheep[0]?.score).toBeGreaterThanOrEqual(OBJECT_THRESHOLD);
    expect(sheep[0]?.count).toBeGreaterThanOrEqual(5);
    expect(COUNT_THRESHOLD).toBeLessThan(OBJECT_THRESHOLD);
  });

  it("finds the boats on a river", async () => {
    const tags = await tagsOf("nagasaki-boats.jpg");
    expect(find(tags, "boat", "coco")?.score).toBeGreaterThanOrEqual(OBJECT_THRESHOLD);
  });

  it("tags no objects and no face in a landscape with neither", async () => {
    const tags = await tagsOf("french-alpine-landscape.jpg");
    expect(tags.filter((tag) => MODEL_SOURCES.has(tag.source))).toEqual([]);
    expect(find(tags, "landscape", "geometry")).toBeDefined();
  });

  it("puts what the models saw first, by score, then the facts", async () => {
    const tags = await tagsOf("astronaut.jpg");
    const firstFact = tags.findIndex((tag) => !MODEL_SOURCES.has(tag.source));
    const seen = tags.slice(0, firstFact);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((tag) => tag.score)).toEqual(seen.map((tag) => tag.score).sort((a, b) => b - a));
    expect(tags.slice(firstFact).every((tag) => !MODEL_SOURCES.has(tag.source))).toBe(true);
  });

  it("gives a solid red 300x100 PNG exactly its facts: png, landscape, red", async () => {
    const png = await sharp({ create: { width: 300, height: 100, channels: 3, background: "#ff0000" } })
      .png()
      .toBuffer();
    const response = await post(png);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { label: "png", score: 1, source: "format" },
      { label: "landscape", score: 1, source: "geometry" },
      { label: "red", score: 1, source: "colour" },
    ]);
  });

  it("honours EXIF rotation and names the camera from EXIF", async () => {
    // Stored 300x100 with Orientation 6 (turn 90 degrees to show): upright it is 100x300, a portrait.
    const jpeg = await sharp({ create: { width: 300, height: 100, channels: 3, background: "#0000ff" } })
      .jpeg()
      .withExif({ IFD0: { Make: "Canon", Model: "Canon EOS 5D Mark II" } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const response = await post(jpeg);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { label: "jpeg", score: 1, source: "format" },
      { label: "portrait", score: 1, source: "geometry" },
      { label: "Canon EOS 5D Mark II", score: 1, source: "exif" },
      { label: "blue", score: 1, source: "colour" },
    ]);
  });

  it("names each colour covering a real share of the image, with its share as the score", async () => {
    const halves = await sharp({ create: { width: 200, height: 100, channels: 3, background: "#ffffff" } })
      .composite([{ input: { create: { width: 100, height: 100, channels: 3, background: "#00a000" } }, left: 0, top: 0 }])
      .png()
      .toBuffer();
    const response = await post(halves);
    const colours = ((await response.json()) as Tag[]).filter((tag) => tag.source === "colour");
    expect(colours.map((tag) => tag.label).sort()).toEqual(["green", "white"]);
    for (const colour of colours) expect(colour.score).toBeCloseTo(0.5, 1);
  });

  it("refuses broken images with 422 undecodable_image, quickly, and keeps serving", async () => {
    const jpeg = await readFile(join(FIXTURES, "astronaut.jpg"));
    const broken = {
      "a truncated JPEG": jpeg.subarray(0, Math.floor(jpeg.byteLength / 2)),
      "random bytes": Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251),
      "an empty body": new Uint8Array(0),
      "a PNG signature and nothing else": Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    };
    for (const [what, bytes] of Object.entries(broken)) {
      const started = performance.now();
      const response = await post(bytes);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect({ what, status: response.status, code: body.error.code }).toEqual({ what, status: 422, code: "undecodable_image" });
      expect(body.error.message).toEqual(expect.any(String));
      expect(performance.now() - started).toBeLessThan(2_000);
    }
    const after = await tagsOf("chelsea-the-cat.jpg");
    expect(find(after, "cat", "coco")).toBeDefined();
  });

  it("refuses a body over 12 MiB with 413 payload_too_large, declared or streamed", async () => {
    const big = new Uint8Array(12 * 1024 * 1024 + 1);
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: { code: "payload_too_large", message: expect.any(String) } });

    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 13 * 1024 * 1024) return controller.close();
        sent += 1024 * 1024;
        controller.enqueue(new Uint8Array(1024 * 1024));
      },
    });
    const streamed = await post(stream, { duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");

    const response = await fetch(`${baseUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it("answers requests sent at once, each with its own tags", async () => {
    const files = ["chelsea-the-cat.jpg", "coffee.webp", "astronaut.jpg", "chelsea-the-cat.jpg"];
    const answers = await Promise.all(files.map((file) => tagsOf(file)));
    expect(answers.map((tags) => tags[0]?.label)).toEqual(["cat", "cup", "face", "cat"]);
  });

  it("answers unknown paths and wrong methods in the error envelope", async () => {
    const missing = await fetch(`${baseUrl}/classify`, { method: "POST", body: "x" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
    const wrong = await fetch(`${baseUrl}/tag`);
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual({ error: { code: "method_not_allowed", message: expect.any(String) } });
  });
});
