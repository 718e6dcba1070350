// Specs for image-probe: the real type (by magic bytes) and the size of uploaded bytes.
import { encode as encodePng } from "fast-png";
import { encode as encodeJpeg } from "jpeg-js";
import { GifWriter } from "omggif";
import { describe, expect, it } from "vitest";
import { probeImage, sniffContentType, SUPPORTED_CONTENT_TYPES } from "../../src/domain/image-probe.ts";

const solidRgba = (width: number, height: number) => new Uint8Array(width * height * 4).fill(200);

const png = (width: number, height: number) => encodePng({ width, height, data: solidRgba(width, height) });
const jpeg = (width: number, height: number) => new Uint8Array(encodeJpeg({ width, height, data: solidRgba(width, height) }, 90).data);

function gif(width: number, height: number): Uint8Array {
  const out = new Uint8Array(1024 + width * height);
  const writer = new GifWriter(out, width, height, { palette: [0x000000, 0xff0000] });
  writer.addFrame(0, 0, width, height, new Array<number>(width * height).fill(1));
  return out.slice(0, writer.end());
}

// A 24x12 lossless WebP made with `cwebp -lossless` (libwebp 1.2).
const WEBP_24X12 = hex("524946461e000000574542505650384c110000002f17c0020007508a9a97a2ff8188e87f0000");
// A 24x12 lossy WebP made with `cwebp -q 80`.
const WEBP_LOSSY_24X12 = hex(
  "524946464800000057454250565038203c0000003003009d012a18000c003e6d2c9145a422a19804004006c4a00b516807e00008450000feefde5fff0ab70c42f1fffbd82fbb05f760bfd77af8000000",
);

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

const text = (value: string) => new TextEncoder().encode(value);

describe("probeImage", () => {
  it("reads the width and height of a PNG", () => {
    expect(probeImage(png(64, 32))).toEqual({ contentType: "image/png", width: 64, height: 32 });
  });

  it("reads the width and height of a JPEG", () => {
    expect(probeImage(jpeg(40, 30))).toEqual({ contentType: "image/jpeg", width: 40, height: 30 });
  });

  it("reads the width and height of a GIF", () => {
    expect(probeImage(gif(10, 20))).toEqual({ contentType: "image/gif", width: 10, height: 20 });
  });

  it("reads the width and height of a lossless and a lossy WebP", () => {
    expect(probeImage(WEBP_24X12)).toEqual({ contentType: "image/webp", width: 24, height: 12 });
    expect(probeImage(WEBP_LOSSY_24X12)).toEqual({ contentType: "image/webp", width: 24, height: 12 });
  });

  it("reports a JPEG whose EXIF orientation turns it a quarter turn in its displayed size", () => {
    const bytes = jpeg(40, 30);
    // APP1 Exif, big-endian TIFF, one IFD entry: Orientation (274) = 6 (rotate 90 degrees clockwise).
    const exif = hex("ffe100224578696600004d4d002a00000008000101120003000000010006000000000000");
    const rotated = new Uint8Array([...bytes.subarray(0, 2), ...exif, ...bytes.subarray(2)]);
    expect(probeImage(rotated)).toEqual({ contentType: "image/jpeg", width: 30, height: 40 });
  });

  it("gives null for text, even text declared as an image", () => {
    expect(probeImage(text("hello, I am not a picture"))).toBeNull();
  });

  it("gives null for empty bytes", () => {
    expect(probeImage(new Uint8Array())).toBeNull();
  });

  it("gives null for a PNG signature followed by junk", () => {
    const bytes = new Uint8Array([...png(8, 8).subarray(0, 8), ...text("junk junk junk junk junk")]);
    expect(probeImage(bytes)).toBeNull();
  });

  it("gives null for headers cut short before the size", () => {
    const cuts: Array<[Uint8Array, number]> = [
      [png(64, 32), 20],
      [jpeg(40, 30), 14],
      [gif(10, 20), 8],
      [WEBP_24X12, 24],
    ];
    for (const [bytes, length] of cuts) {
      expect(probeImage(bytes.subarray(0, length))).toBeNull();
    }
  });

  it("gives null for a GIF that claims zero width", () => {
    expect(probeImage(new Uint8Array([...text("GIF89a"), 0, 0, 5, 0]))).toBeNull();
  });

  it("gives null for other image formats", () => {
    const bmp = new Uint8Array([...text("BM"), ...new Array<number>(52).fill(0)]);
    expect(probeImage(bmp)).toBeNull();
    expect(probeImage(text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'))).toBeNull();
  });

  it("never throws on random bytes behind a valid signature", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    for (const prefix of [png(4, 4).subarray(0, 8), hex("ffd8ff"), text("GIF89a"), WEBP_24X12.subarray(0, 16)]) {
      for (let length = 0; length < 64; length++) {
        const bytes = new Uint8Array([...prefix, ...Array.from({ length }, random)]);
        expect(() => probeImage(bytes)).not.toThrow();
      }
    }
  });
});

describe("sniffContentType", () => {
  it("names each supported format from its first 16 bytes alone", () => {
    expect(sniffContentType(png(2, 2).subarray(0, 16))).toBe("image/png");
    expect(sniffContentType(jpeg(2, 2).subarray(0, 16))).toBe("image/jpeg");
    expect(sniffContentType(gif(2, 2).subarray(0, 16))).toBe("image/gif");
    expect(sniffContentType(WEBP_24X12.subarray(0, 16))).toBe("image/webp");
  });

  it("gives null for text, empty bytes and a RIFF file that is not WebP", () => {
    expect(sniffContentType(text("%PDF-1.7 not an image"))).toBeNull();
    expect(sniffContentType(new Uint8Array())).toBeNull();
    expect(sniffContentType(text("RIFF\0\0\0\0WAVEfmt "))).toBeNull();
  });

  it("lists exactly the four supported content types", () => {
    expect(SUPPORTED_CONTENT_TYPES).toEqual(["image/png", "image/jpeg", "image/gif", "image/webp"]);
  });
});
