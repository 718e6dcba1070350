// Small real PNG images made in memory, for the demo and the tests (pure JS, so workerd runs it too).
import { encode } from "fast-png";

export type Rgb = readonly [number, number, number];

/** A `width` x `height` RGB PNG filled with one colour, or split into a left and a `right` half. */
export function solidPng(width: number, height: number, left: Rgb, right: Rgb = left): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(x < width / 2 ? left : right, (y * width + x) * 3);
  }
  return encode({ width, height, data, channels: 3, depth: 8 });
}
