// Decodes PNG, JPEG, GIF and WebP to pixels in pure JS (workerd has no native codecs), within a memory budget.
import { convertIndexedToRgb, decode as decodePng } from "fast-png";
import { Unzlib } from "fflate";
import { GifDecoder } from "image-in-browser/lib/src/formats/gif-decoder.js";
import { WebPDecoder } from "image-in-browser/lib/src/formats/webp-decoder.js";
import type { MemoryImage } from "image-in-browser/lib/src/image/image.js";
import { decode as decodeJpeg } from "jpeg-js";
import type { SupportedContentType } from "./image-probe.ts";

// A Worker isolate has 128 MB for everything (the upload itself may be 10 MiB), so decoding gets
// at most this much; a bigger image fails with a clear error instead of killing the isolate.
const DECODE_BUDGET_MB = 80;
const MAX_MEGAPIXELS = 24;
// Rough peak bytes per pixel of each decoder: output plus its working buffers.
const DECODE_BYTES_PER_PIXEL: Record<SupportedContentType, number> = {
  "image/png": 12, // 8-bit RGBA: the inflated rows twice (fast-png joins its chunks), then the pixels
  "image/jpeg": 10, // jpeg-js keeps 32-bit DCT blocks for every component; it also counts for itself
  "image/gif": 2, // one palette index a pixel, plus the LZW input
  "image/webp": 8, // RGBA output plus the VP8 or VP8L working buffers
};
export type Rgba = [number, number, number, number];
export type Pixels = { width: number; height: number; at: (x: number, y: number) => Rgba };

/** Decodes the image, or throws an Error saying why it cannot (too large for the budget, truncated, corrupt). */
export function decodeImage(contentType: SupportedContentType, width: number, height: number, bytes: Uint8Array): Pixels {
  assertDecodable(contentType, width, height);
  return decodePixels(contentType, bytes);
}

function assertDecodable(contentType: SupportedContentType, width: number, height: number): void {
  const megabytes = (width * height * DECODE_BYTES_PER_PIXEL[contentType]) / 2 ** 20;
  if (width * height > MAX_MEGAPIXELS * 1e6 || megabytes > DECODE_BUDGET_MB) {
    throw new Error(`${width}x${height} is too large to decode within a Worker's memory`);
  }
}

function decodePixels(contentType: SupportedContentType, bytes: Uint8Array): Pixels {
  switch (contentType) {
    case "image/png":
      assertPngInflatesWithin(bytes, 2 * pngRawSize(bytes));
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
      // Not omggif: its LZW decoder loops forever on some corrupt streams.
      const decoder = new GifDecoder();
      const frame = decoder.startDecode(bytes)?.frames[0]; // the first frame stands for an animation
      if (frame === undefined) throw new Error("no image in the GIF");
      assertDecodable(contentType, frame.width, frame.height);
      assertGifDataComplete(bytes, frame.inputPosition);
      return fromMemoryImage(decoder.decodeFrame(0));
    }
    case "image/webp": {
      // Its lossy decoder reads missing bytes as zeros, so a cut-off file is caught by the RIFF size.
      const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true) + 8;
      if (declared > bytes.length) throw new Error(`truncated: ${bytes.length} of ${declared} bytes`);
      const decoder = new WebPDecoder();
      const info = decoder.startDecode(bytes);
      if (info === undefined) throw new Error("invalid WebP header");
      // It reads the size again, unmasked: a corrupt header could ask for far more than the probe saw.
      assertDecodable(contentType, info.width, info.height);
      return fromMemoryImage(decoder.decodeFrame(0));
    }
  }
}

// The GIF decoder draws a cut-off frame as if its pixels were there: walk the frame's length-prefixed
// data sub-blocks (after the LZW code size byte) and insist on the empty block that ends them.
function assertGifDataComplete(bytes: Uint8Array, start: number): void {
  let position = start + 1;
  while (position < bytes.length && bytes[position] !== 0) position += (bytes[position] ?? 0) + 1;
  if (position >= bytes.length) throw new Error("truncated image data");
}

// image-in-browser (a pure TypeScript port of the Dart image library) resolves palettes in getPixel.
function fromMemoryImage(image: MemoryImage | undefined): Pixels {
  if (image === undefined) throw new Error("no decodable frame");
  const scale = 255 / image.maxChannelValue;
  const at = (x: number, y: number): Rgba => {
    const pixel = image.getPixel(x, y);
    return [pixel.r * scale, pixel.g * scale, pixel.b * scale, pixel.a * scale];
  };
  return { width: image.width, height: image.height, at };
}

// fast-png keeps every inflated byte before it looks at the size: a small PNG whose data inflates to
// gigabytes (a zlib bomb) would exhaust the isolate, so the inflated IDAT bytes are counted first.
function assertPngInflatesWithin(bytes: Uint8Array, limit: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let inflated = 0;
  const unzlib = new Unzlib((chunk) => {
    inflated += chunk.length;
    if (inflated > limit) throw new Error("image data inflates to more than its header declares");
  });
  // Chunks after the 8-byte signature: length, type, data, CRC.
  for (let at = 8; at + 8 <= bytes.length; at += 12 + view.getUint32(at)) {
    if (view.getUint32(at + 4) === 0x49444154) unzlib.push(bytes.subarray(at + 8, at + 8 + view.getUint32(at)));
  }
}

// Filtered scanlines as the IHDR describes them (Adam7 interlacing adds less than as much again).
function pngRawSize(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const channels = [1, 0, 3, 1, 2, 0, 4][view.getUint8(25)] || 4;
  return view.getUint32(20) * (1 + Math.ceil((view.getUint32(16) * channels * view.getUint8(24)) / 8));
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
