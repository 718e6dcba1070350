// Specs for the upload-time image facts: decoding real pixels into colour, format and orientation tags.
import { encode as encodePng } from "fast-png";
import { zlibSync } from "fflate";
import { encode as encodeJpeg } from "jpeg-js";
import { GifWriter } from "omggif";
import { describe, expect, it } from "vitest";
import { colourName } from "../../src/domain/colour-name.ts";
import { analyzeImage } from "../../src/domain/image-analysis.ts";
import type { Tag } from "../../src/domain/task.ts";

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
function gif(width: number, height: number, palette: number[], indexAt: (x: number, y: number) => number) {
  const out = new Uint8Array(1024 + width * height * 2);
  const writer = new GifWriter(out, width, height, { palette });
  const pixels = Array.from({ length: width * height }, (_, i) => indexAt(i % width, Math.floor(i / width)));
  writer.addFrame(0, 0, width, height, pixels);
  return out.slice(0, writer.end());
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

// 24x12, left half (20,40,220), right half white: `cwebp -lossless` and `cwebp -q 90` (libwebp 1.2).
const HALVES_WEBP_LOSSLESS = hex(
  "524946462a000000574542505650384c1e0000002f17c002000ff094ff57fcbffb7ffee3014202c203ffd7ea1644f43f9201",
);
const HALVES_WEBP_LOSSY = hex(
  "52494646640000005745425056503820580000009003009d012a18000c003e31148842a22121180400200304a007600a00157ffb80006e380000feef387fff906c7fff207bffc82caffffad83ffaa23e826efdfffd6c1fe8dbe826efdfffff20c0551d2fe0a644b520000000",
);

const colours = (tags: Tag[]) => tags.filter((tag) => tag.source === "colour");
const halves = (x: number, width: number) => (x < width / 2 ? BLUE : WHITE);

function expectBlueAndWhiteHalves(tags: Tag[]) {
  expect(colours(tags).map((tag) => tag.label).sort()).toEqual(["blue", "white"]);
  for (const tag of colours(tags)) expect(tag.score).toBeCloseTo(0.5, 1);
}

// The fact tags alone; the perceptual hash has its own spec file.
const tagsOf = (bytes: Uint8Array) => analyzeImage(bytes).tags;

describe("analyzeImage", () => {
  it("tags a red landscape PNG as red, png and landscape", () => {
    const tags = tagsOf(png(64, 32, () => RED));
    expect(tags).toEqual([
      { label: "png", score: 1, source: "format" },
      { label: "landscape", score: 1, source: "geometry" },
      { label: "red", score: 1, source: "colour" },
    ]);
  });

  it("finds blue and white, about half each, in a half-blue half-white PNG", () => {
    expectBlueAndWhiteHalves(tagsOf(png(40, 24, (x) => halves(x, 40))));
  });

  it("reads the pixels of a JPEG", () => {
    const tags = tagsOf(jpeg(40, 24, (x) => halves(x, 40)));
    expect(tags.slice(0, 2)).toEqual([
      { label: "jpeg", score: 1, source: "format" },
      { label: "landscape", score: 1, source: "geometry" },
    ]);
    expectBlueAndWhiteHalves(tags);
  });

  it("reads the pixels of a GIF", () => {
    const tags = tagsOf(gif(20, 40, [0x1428dc, 0xffffff], (x) => (x < 10 ? 0 : 1)));
    expect(tags.slice(0, 2)).toEqual([
      { label: "gif", score: 1, source: "format" },
      { label: "portrait", score: 1, source: "geometry" },
    ]);
    expectBlueAndWhiteHalves(tags);
  });

  it("reads the pixels of a lossless and a lossy WebP", () => {
    for (const bytes of [HALVES_WEBP_LOSSLESS, HALVES_WEBP_LOSSY]) {
      const tags = tagsOf(bytes);
      expect(tags.slice(0, 2)).toEqual([
        { label: "webp", score: 1, source: "format" },
        { label: "landscape", score: 1, source: "geometry" },
      ]);
      expectBlueAndWhiteHalves(tags);
    }
  });

  it("reads palette, 16-bit, 1-bit greyscale and interlaced PNGs", () => {
    const palette = encodePng({ width: 8, height: 8, channels: 1, depth: 8, palette: [[0, 160, 40]], data: new Uint8Array(64) });
    expect(colours(tagsOf(palette))).toEqual([{ label: "green", score: 1, source: "colour" }]);

    const deep = encodePng({ width: 8, height: 8, channels: 3, depth: 16, data: new Uint16Array(192).fill(65535) });
    expect(colours(tagsOf(deep))).toEqual([{ label: "white", score: 1, source: "colour" }]);

    // Each byte 0x0f: four black pixels then four white ones.
    const bits = encodePng({ width: 8, height: 4, channels: 1, depth: 1, data: new Uint8Array(4).fill(0x0f) });
    expect(colours(tagsOf(bits))).toEqual([
      { label: "black", score: 0.5, source: "colour" },
      { label: "white", score: 0.5, source: "colour" },
    ]);

    const interlaced = encodePng({ width: 16, height: 16, data: paint(16, 16, () => BLUE) }, { interlace: "Adam7" });
    expect(colours(tagsOf(interlaced))).toEqual([{ label: "blue", score: 1, source: "colour" }]);
  });

  it("calls an image square when its sides are within 5% and portrait when it is taller", () => {
    const geometry = (bytes: Uint8Array) => tagsOf(bytes).find((tag) => tag.source === "geometry")?.label;
    expect(geometry(png(100, 100, () => RED))).toBe("square");
    expect(geometry(png(100, 104, () => RED))).toBe("square");
    expect(geometry(png(30, 60, () => RED))).toBe("portrait");
  });

  it("ignores transparent pixels when measuring colours", () => {
    const tags = tagsOf(png(40, 40, (x) => (x < 30 ? CLEAR : RED)));
    expect(colours(tags)).toEqual([{ label: "red", score: 1, source: "colour" }]);
    const out = new Uint8Array(1024);
    const writer = new GifWriter(out, 20, 10, { palette: [0x000000, 0xe61414] });
    writer.addFrame(0, 0, 20, 10, Array.from({ length: 200 }, (_, i) => (i % 20 < 15 ? 0 : 1)), { transparent: 0 });
    expect(colours(tagsOf(out.slice(0, writer.end())))).toEqual([{ label: "red", score: 1, source: "colour" }]);
  });

  it("leaves out colours that cover less than a tenth of the image", () => {
    const tags = tagsOf(png(100, 10, (x) => (x < 5 ? RED : WHITE)));
    expect(colours(tags)).toEqual([{ label: "white", score: 0.95, source: "colour" }]);
  });

  it("samples a large image in stripes and still measures each share", () => {
    const tags = tagsOf(png(1200, 900, (x) => (x < 400 ? RED : x < 800 ? GREEN : WHITE)));
    expect(colours(tags).map((tag) => tag.label).sort()).toEqual(["green", "red", "white"]);
    for (const tag of colours(tags)) expect(tag.score).toBeCloseTo(1 / 3, 1);
  });

  it("sorts tags best first", () => {
    const tags = tagsOf(png(100, 10, (x) => (x < 70 ? WHITE : BLUE)));
    expect(tags.map((tag) => tag.label)).toEqual(["png", "landscape", "white", "blue"]);
    expect(tags.map((tag) => tag.score)).toEqual([1, 1, 0.7, 0.3]);
  });

  it("throws a clear error for a truncated JPEG", () => {
    const bytes = jpeg(40, 24, (x) => halves(x, 40));
    expect(() => tagsOf(bytes.subarray(0, bytes.length - 200))).toThrow(/^cannot decode image\/jpeg: /);
  });

  it("throws a clear error for a truncated PNG, GIF or WebP", () => {
    const pngBytes = png(40, 24, (x) => halves(x, 40));
    expect(() => tagsOf(pngBytes.subarray(0, pngBytes.length - 20))).toThrow(/^cannot decode image\/png: /);
    const gifBytes = gif(20, 40, [0x1428dc, 0xffffff], (x) => (x < 10 ? 0 : 1));
    expect(() => tagsOf(gifBytes.subarray(0, gifBytes.length - 10))).toThrow(/^cannot decode image\/gif: /);
    for (const webp of [HALVES_WEBP_LOSSLESS, HALVES_WEBP_LOSSY]) {
      expect(() => tagsOf(webp.subarray(0, webp.length - 8))).toThrow(/^cannot decode image\/webp: /);
    }
  });

  it("throws for a PNG whose pixel data was altered (its CRC no longer matches)", () => {
    const bytes = png(40, 24, (x) => halves(x, 40));
    const at = bytes.length - 20; // inside the IDAT data
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    expect(() => tagsOf(bytes)).toThrow(/^cannot decode image\/png: /);
  });

  it("refuses a PNG whose data inflates far past its declared size", () => {
    expect(() => tagsOf(pngWithData(1, 1, zlibSync(new Uint8Array(1 << 20))))).toThrow(
      "cannot decode image/png: image data inflates to more than its header declares",
    );
  });

  it("refuses, without decoding, an image too large for a Worker's memory", () => {
    expect(() => tagsOf(pngWithData(20000, 20000, zlibSync(new Uint8Array(16))))).toThrow(
      "cannot decode image/png: 20000x20000 is too large to decode within a Worker's memory",
    );
  });

  it("gives tags or a clear Error, quickly, for corrupted bytes of every format", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const fixtures = [
      png(40, 24, (x) => halves(x, 40)),
      jpeg(40, 24, (x) => halves(x, 40)),
      gif(40, 24, [0x1428dc, 0xffffff], (x) => (x < 20 ? 0 : 1)),
      HALVES_WEBP_LOSSLESS,
      HALVES_WEBP_LOSSY,
    ];
    for (const fixture of fixtures) {
      for (let round = 0; round < 200; round++) {
        const bytes = fixture.slice();
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        }
        try {
          expect(tagsOf(bytes).length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(/^cannot (analyze image|decode image\/(png|jpeg|gif|webp)): /);
        }
      }
    }
  });

  it("finishes on a corrupt GIF whose LZW codes send omggif into an endless loop", () => {
    const bytes = hex(
      "474946383961280018008000001428dcffffff2c0000000028001800000240848f99c1edff9494b0d6898fdd2d67ce7918b8ea13" +
        "6999140aa90adbba081cc91addd9069eeb3ca3dbfd82805f8068440e8349e6d2f7b435a13c65d579a5e20a003b",
    );
    expect(tagsOf(bytes).map((tag) => tag.label)).toEqual(["gif", "landscape", "blue"]);
  });

  it("throws for bytes that are not an image", () => {
    expect(() => tagsOf(new TextEncoder().encode("just some text"))).toThrow(/^cannot analyze image: /);
    expect(() => tagsOf(new Uint8Array())).toThrow(/^cannot analyze image: /);
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

// A minimal 8-bit greyscale PNG with the given IDAT payload and correct CRCs.
function pngWithData(width: number, height: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return new Uint8Array([...signature, ...chunk("IHDR", ihdr), ...chunk("IDAT", idat), ...chunk("IEND", new Uint8Array())]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}
