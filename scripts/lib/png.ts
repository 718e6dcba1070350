// Small real PNG images made in memory, for the demo and end-to-end tests.
import { encode } from "fast-png";

export type Rgb = readonly [number, number, number];

/** A `width` x `height` RGB PNG filled with one colour. */
export function solidPng(width: number, height: number, [r, g, b]: Rgb): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set([r, g, b], i);
  return encode({ width, height, data, channels: 3, depth: 8 });
}
