// Distinct PNGs for the bench: random pixels, so every upload has its own bytes and perceptual hash and none compresses.
import { encode } from "fast-png";

/** A `side` x `side` RGB PNG of seeded random pixels: the same seed gives the same bytes. */
export function noisePng(side: number, seed: number): Uint8Array {
  const data = new Uint8Array(side * side * 3);
  // xorshift32: fast, seedable, and random enough that deflate finds nothing to shrink.
  let state = seed * 2_654_435_761 || 1;
  for (let i = 0; i < data.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    data[i] = state & 0xff;
  }
  return encode({ width: side, height: side, data, channels: 3, depth: 8 });
}

/** `count` distinct PNGs of about `kilobytes` KB each (random pixels do not compress, so size follows the side). */
export function noisePngs(count: number, kilobytes: number, firstSeed = 1): Buffer[] {
  const side = Math.round(Math.sqrt((kilobytes * 1024) / 3));
  return Array.from({ length: count }, (_, index) => Buffer.from(noisePng(side, firstSeed + index)));
}
