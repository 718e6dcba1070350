// The embedded tagger: decodes an image and tags its dominant colours, format and orientation.
import { convertIndexedToRgb, decode as decodePng } from "fast-png";
import { WebPDecoder } from "image-in-browser/lib/src/formats/webp-decoder.js";
import { decode as decodeJpeg } from "jpeg-js";
import { GifReader } from "omggif";
import { probeImage, type ImageProbe } from "./image-probe.ts";

export type Tag = { label: string; score: number; source: string };

// A Worker isolate has 128 MB for everything (the upload itself may be 10 MiB), so decoding gets
// at most this much; a bigger image fails with a clear error instead of killing the isolate.
const DECODE_BUDGET_MB = 80;
const MAX_MEGAPIXELS = 24;
// Rough peak bytes per pixel of each decoder: output plus its working buffers.
const DECODE_BYTES_PER_PIXEL: Record<ImageProbe["contentType"], number> = {
  "image/png": 8, // inflated rows plus the unfiltered pixels (16-bit images need twice that)
  "image/jpeg": 10, // jpeg-js keeps 32-bit DCT blocks for every component; it also counts for itself
  "image/gif": 4, // omggif writes straight into our RGBA buffer
  "image/webp": 8, // RGBA output plus the VP8 or VP8L working buffers
};
const SAMPLE_TARGET = 65_536; // pixels looked at, whatever the size: a 20 MP image is sampled every 17th pixel
const COLOUR_THRESHOLD = 0.1; // a colour is named when it covers at least this share of the visible pixels

type Rgba = [number, number, number, number];
type Pixels = { width: number; height: number; at: (x: number, y: number) => Rgba };

/** Tags an image, best first; throws an Error when the bytes are not a decodable PNG, JPEG, GIF or WebP. */
export function analyzeImage(bytes: Uint8Array): Tag[] {
  const probe = probeImage(bytes);
  if (probe === null) throw new Error("cannot analyze image: not a PNG, JPEG, GIF or WebP with a readable size");
  const { contentType, width, height } = probe;
  const neededMb = (width * height * DECODE_BYTES_PER_PIXEL[contentType]) / 2 ** 20;
  if (width * height > MAX_MEGAPIXELS * 1e6 || neededMb > DECODE_BUDGET_MB) {
    throw new Error(`cannot decode ${contentType}: ${width}x${height} is too large to decode in a Worker`);
  }
  let pixels: Pixels;
  try {
    pixels = decodePixels(contentType, bytes);
  } catch (error) {
    throw new Error(`cannot decode ${contentType}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const tags: Tag[] = [
    { label: contentType.slice("image/".length), score: 1, source: "format" },
    { label: orientationOf(width, height), score: 1, source: "geometry" },
    ...dominantColours(pixels),
  ];
  return tags.sort((a, b) => b.score - a.score); // Array.prototype.sort is stable (ES2019)
}

function decodePixels(contentType: ImageProbe["contentType"], bytes: Uint8Array): Pixels {
  switch (contentType) {
    case "image/png":
      return readPng(bytes);
    case "image/jpeg": {
      const { width, height, data } = decodeJpeg(bytes, {
        useTArray: true, // plain Uint8Array output: Buffer does not exist in workerd
        formatAsRGBA: false,
        tolerantDecoding: false, // a truncated scan is an error, not a half-grey picture
        maxResolutionInMP: MAX_MEGAPIXELS,
        maxMemoryUsageInMB: DECODE_BUDGET_MB,
      });
      return interleaved(width, height, data, 3);
    }
    case "image/gif": {
      const reader = new GifReader(bytes);
      const data = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(0, data); // the first frame stands for an animation
      return interleaved(reader.width, reader.height, data, 4);
    }
    case "image/webp": {
      // image-in-browser is a pure TypeScript port of libwebp's decoder (lossy, lossless, alpha).
      // Its lossy decoder reads missing bytes as zeros, so a cut-off file is caught by the RIFF size.
      const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true) + 8;
      if (declared > bytes.length) throw new Error(`truncated: ${bytes.length} of ${declared} bytes`);
      const decoder = new WebPDecoder();
      if (decoder.startDecode(bytes) === undefined) throw new Error("invalid WebP header");
      const image = decoder.decodeFrame(0);
      if (image === undefined) throw new Error("no decodable frame");
      return interleaved(image.width, image.height, image.toUint8Array(), image.numChannels, image.maxChannelValue);
    }
  }
}

function readPng(bytes: Uint8Array): Pixels {
  const png = decodePng(bytes, { checkCrc: true }); // every chunk has a CRC: corruption is detectable
  const { width, height, depth, channels } = png;
  // Palette entries are [r, g, b] or, with a tRNS chunk, [r, g, b, a].
  if (png.palette) return interleaved(width, height, convertIndexedToRgb(png), png.palette[0]?.length ?? 3);
  if (depth < 8) return interleaved(width, height, unpackBits(png.data, width, height, depth), 1, 2 ** depth - 1);
  return interleaved(width, height, png.data, channels, 2 ** depth - 1);
}

// Greyscale PNGs of depth 1, 2 or 4 pack several pixels a byte, each row starting on a fresh byte.
function unpackBits(data: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = ((data[y * rowBytes + (bit >> 3)] ?? 0) >> (8 - depth - (bit & 7))) & (2 ** depth - 1);
    }
  }
  return out;
}

// Reads pixels stored channel by channel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
function interleaved(width: number, height: number, data: ArrayLike<number>, channels: number, max = 255): Pixels {
  const scale = 255 / max;
  const at = (x: number, y: number): Rgba => {
    const i = (y * width + x) * channels;
    const value = (channel: number) => (data[i + channel] ?? 0) * scale;
    if (channels <= 2) return [value(0), value(0), value(0), channels === 2 ? value(1) : 255];
    return [value(0), value(1), value(2), channels === 4 ? value(3) : 255];
  };
  return { width, height, at };
}

function orientationOf(width: number, height: number): string {
  // Within 5% counts as square: a 1000x1010 photo is square to anyone looking at it.
  if (Math.abs(width - height) <= 0.05 * Math.max(width, height)) return "square";
  return width > height ? "landscape" : "portrait";
}

function dominantColours({ width, height, at }: Pixels): Tag[] {
  const stride = Math.max(1, Math.floor(Math.sqrt((width * height) / SAMPLE_TARGET)));
  const counts = new Map<string, number>();
  let visible = 0;
  for (let y = Math.floor(stride / 2); y < height; y += stride) {
    for (let x = Math.floor(stride / 2); x < width; x += stride) {
      const [r, g, b, a] = at(x, y);
      if (a < 128) continue; // transparent pixels have no colour to speak of
      visible++;
      const name = colourName(r, g, b);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts]
    .map(([label, count]) => ({ label, score: Math.round((count / visible) * 1000) / 1000, source: "colour" }))
    .filter((tag) => tag.score >= COLOUR_THRESHOLD);
}

/** The everyday name of a colour (0..255 channels), by hue, saturation and value. */
export function colourName(r: number, g: number, b: number): string {
  const max = Math.max(r, g, b);
  const chroma = max - Math.min(r, g, b);
  const value = max / 255;
  const saturation = max === 0 ? 0 : chroma / max;
  if (value < 0.2) return "black";
  if (saturation < 0.15 || chroma < 20) {
    if (value > 0.85) return "white";
    return value < 0.3 ? "black" : "gray";
  }
  const hue = hueOf(r, g, b, max, chroma);
  if (hue < 15 || hue >= 345) return saturation < 0.5 && value > 0.7 ? "pink" : "red";
  if (hue < 45) return value < 0.65 ? "brown" : "orange";
  if (hue < 70) return value < 0.5 ? "brown" : "yellow";
  if (hue < 165) return "green";
  if (hue < 195) return "cyan";
  if (hue < 255) return "blue";
  if (hue < 290) return "purple";
  return "pink";
}

function hueOf(r: number, g: number, b: number, max: number, chroma: number): number {
  const sector = max === r ? (g - b) / chroma + 6 : max === g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
  return (sector * 60) % 360;
}
