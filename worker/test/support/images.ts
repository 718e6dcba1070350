// Small real images made in the test, so fixtures carry no binary files.
import { encode } from "fast-png";
import { solidPng } from "../../../scripts/lib/png.ts";

export { solidPng };

export const RED_PNG = solidPng(64, 32, [220, 20, 30]);

/** Keeps the PNG signature and header but cuts the pixel data short: it probes fine and cannot be decoded. */
export function truncatedPng(): Uint8Array {
  const png = solidPng(64, 64, [10, 200, 10]);
  return png.slice(0, 40);
}

/** A smooth, detailed picture defined on the unit square, so the same seed at another size is the same picture. */
export function patternPng(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      const wave = (a: number, b: number, phase: number) => 128 + 127 * Math.sin(a * u * 7 + b * v * 5 + phase * seed);
      data.set([wave(1, 0.3, 1), wave(0.4, 1, 2), wave(0.8, -0.9, 3)], (y * width + x) * 3);
    }
  }
  return encode({ width, height, data, channels: 3, depth: 8 });
}
