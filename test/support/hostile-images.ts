// Small crafted images from a security audit, each built to make a naive decoder use gigabytes or minutes (pure JS, so workerd runs it too).
import { zlibSync } from "fflate";

const ascii = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((at, part) => {
    out.set(part, at);
    return at + part.length;
  }, 0);
  return out;
};
const u32be = (value: number) => Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
const u32le = (value: number) => Uint8Array.of(value & 255, (value >>> 8) & 255, (value >>> 16) & 255, value >>> 24);
const u24le = (value: number) => Uint8Array.of(value & 255, (value >>> 8) & 255, (value >>> 16) & 255);
const u16le = (value: number) => Uint8Array.of(value & 255, value >>> 8);
const u16be = (value: number) => Uint8Array.of(value >>> 8, value & 255);

// PNG: signature, then chunks of length, type, data and a CRC over type and data.
const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(ascii(type), data);
  return concat(u32be(data.length), body, u32be(crc32(body)));
}

// 8-bit greyscale, no interlace.
const ihdr = (width: number, height: number) => pngChunk("IHDR", concat(u32be(width), u32be(height), Uint8Array.of(8, 0, 0, 0, 0)));
// One 1x1 grey row: filter byte 0, pixel 0.
const onePixelIdat = () => pngChunk("IDAT", zlibSync(Uint8Array.of(0, 0)));

/** A 1x1 PNG with a second IHDR claiming `width` x `height`: a probe reads the first, some decoders the last. */
export function pngWithSecondIhdr(width = 20_000, height = 20_000): Uint8Array {
  return concat(PNG_SIGNATURE, ihdr(1, 1), ihdr(width, height), onePixelIdat(), pngChunk("IEND", new Uint8Array()));
}

/** A PNG whose header claims `width` x `height` but whose data is one pixel: only the header is large. */
export function pngClaiming(width: number, height: number): Uint8Array {
  return concat(PNG_SIGNATURE, ihdr(width, height), onePixelIdat(), pngChunk("IEND", new Uint8Array()));
}

/** A harmless 1x1 PNG of exactly `totalBytes`, padded by a private ancillary chunk that every decoder skips. */
export function pngPaddedTo(totalBytes: number): Uint8Array {
  const image = pngClaiming(1, 1);
  const chunkOverhead = 12;
  const padding = pngChunk("grEe", new Uint8Array(totalBytes - image.length - chunkOverhead));
  const iend = image.length - chunkOverhead;
  return concat(image.subarray(0, iend), padding, image.subarray(iend));
}

/** A 1x1 PNG whose ICC profile (iCCP) inflates to `inflatedBytes`: a bomb outside the image data. */
export function pngWithIccpBomb(inflatedBytes: number): Uint8Array {
  const iccp = pngChunk("iCCP", concat(ascii("bomb\0"), Uint8Array.of(0), zlibSync(new Uint8Array(inflatedBytes), { level: 9 })));
  return concat(PNG_SIGNATURE, ihdr(1, 1), iccp, onePixelIdat(), pngChunk("IEND", new Uint8Array()));
}

/** A `width` x `height` greyscale PNG whose image data (IDAT) inflates to every row it declares, all zeros. */
export function pngIdatBomb(width: number, height: number): Uint8Array {
  const idat = pngChunk("IDAT", zlibSync(new Uint8Array((width + 1) * height), { level: 9 }));
  return concat(PNG_SIGNATURE, ihdr(width, height), idat, pngChunk("IEND", new Uint8Array()));
}

// RIFF chunks are padded to an even length.
function riffChunk(type: string, data: Uint8Array): Uint8Array {
  return concat(ascii(type), u32le(data.length), data, data.length % 2 ? Uint8Array.of(0) : new Uint8Array());
}

/** An animated WebP whose canvas is 1x1 and whose first frame claims `side` x `side` (VP8L allows up to 16384). */
export function webpWithHugeFrame(side = 16_384): Uint8Array {
  const vp8x = riffChunk("VP8X", concat(Uint8Array.of(0x02, 0, 0, 0), u24le(0), u24le(0))); // animation flag, 1x1 canvas
  const anim = riffChunk("ANIM", concat(new Uint8Array(4), u16le(0)));
  // VP8L: signature 0x2f, then 14 bits width - 1, 14 bits height - 1, alpha, 3 bits version, then (too little) image data.
  const bits = (side - 1) | ((side - 1) << 14);
  const vp8l = riffChunk("VP8L", Uint8Array.of(0x2f, bits & 255, (bits >>> 8) & 255, (bits >>> 16) & 255, (bits >>> 24) & 255, 0, 0, 0));
  const anmf = riffChunk("ANMF", concat(u24le(0), u24le(0), u24le(side - 1), u24le(side - 1), u24le(100), Uint8Array.of(0), vp8l));
  const body = concat(ascii("WEBP"), vp8x, anim, anmf);
  return concat(ascii("RIFF"), u32le(body.length), body);
}

/** A 64x64 greyscale progressive JPEG with `scans` scans (one DC scan, then DC refinements): one pass each for a decoder. */
export function progressiveJpegWithScans(scans: number): Uint8Array {
  const segment = (marker: number, data: Uint8Array) => concat(Uint8Array.of(0xff, marker), u16be(data.length + 2), data);
  const quantisation = segment(0xdb, concat(Uint8Array.of(0), new Uint8Array(64).fill(1)));
  const frame = segment(0xc2, concat(Uint8Array.of(8), u16be(64), u16be(64), Uint8Array.of(1, 1, 0x11, 0))); // SOF2
  // One DC Huffman code, "0", for difference category 0: every block's DC stays 0.
  const huffman = segment(0xc4, concat(Uint8Array.of(0x00, 1), new Uint8Array(15), Uint8Array.of(0)));
  // 64 blocks, one bit each: 8 zero bytes of entropy-coded data per scan.
  const scan = (successive: number) => concat(segment(0xda, Uint8Array.of(1, 1, 0x00, 0, 0, successive)), new Uint8Array(8));
  const refinements = Array.from({ length: scans - 1 }, () => scan(0x10));
  return concat(Uint8Array.of(0xff, 0xd8), quantisation, frame, huffman, scan(0x00), ...refinements, Uint8Array.of(0xff, 0xd9));
}

/** A 1x1 GIF with `frames` frames that hold no image data at all. */
export function gifWithEmptyFrames(frames: number): Uint8Array {
  // Logical screen 1x1 with a two-colour global table (black, white).
  const header = concat(ascii("GIF89a"), u16le(1), u16le(1), Uint8Array.of(0x80, 0, 0, 0, 0, 0, 255, 255, 255));
  // Image descriptor at 0,0 sized 1x1, no local table; LZW minimum code size 2; no data sub-blocks, just the terminator.
  const frame = concat(Uint8Array.of(0x2c), u16le(0), u16le(0), u16le(1), u16le(1), Uint8Array.of(0, 2, 0));
  const body = new Uint8Array(frame.length * frames);
  for (let i = 0; i < frames; i++) body.set(frame, i * frame.length);
  return concat(header, body, Uint8Array.of(0x3b));
}
