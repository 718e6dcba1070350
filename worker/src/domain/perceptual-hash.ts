// Perceptual hashes (dHash) of decoded images, and the banded keys that find near-duplicates among earlier uploads.
import type { Pixels } from "./image-decode.ts";

const COLUMNS = 9;
const ROWS = 8;
// Points averaged per cell of the 9x8 grid: enough to smooth noise, few enough to stay cheap on a 20 MP photo.
const SAMPLES_PER_AXIS = 6;
export const BAND_COUNT = 4;
// Two 64-bit hashes within this many differing bits look alike to a person (same photo re-encoded, resized, lightly edited).
export const NEAR_DUPLICATE_DISTANCE = 10;

/**
 * dHash: shrink to 9x8 greys and record, per row, whether each cell is brighter than its right neighbour.
 * Robust to scaling, re-encoding and small colour shifts; 16 hex characters.
 */
export function perceptualHash({ width, height, at }: Pixels): string {
  let bits = 0n;
  for (let row = 0; row < ROWS; row++) {
    const greys = Array.from({ length: COLUMNS }, (_, column) => cellGrey(width, height, at, column, row));
    for (let column = 0; column < COLUMNS - 1; column++) {
      bits = (bits << 1n) | ((greys[column] ?? 0) > (greys[column + 1] ?? 0) ? 1n : 0n);
    }
  }
  return bits.toString(16).padStart(16, "0");
}

function cellGrey(width: number, height: number, at: Pixels["at"], column: number, row: number): number {
  let sum = 0;
  for (let sy = 0; sy < SAMPLES_PER_AXIS; sy++) {
    for (let sx = 0; sx < SAMPLES_PER_AXIS; sx++) {
      const x = Math.min(width - 1, Math.floor(((column + (sx + 0.5) / SAMPLES_PER_AXIS) * width) / COLUMNS));
      const y = Math.min(height - 1, Math.floor(((row + (sy + 0.5) / SAMPLES_PER_AXIS) * height) / ROWS));
      const [r, g, b, a] = at(x, y);
      // Transparent pixels count as white, as an image viewer would show them on a light page.
      const alpha = a / 255;
      sum += (0.299 * r + 0.587 * g + 0.114 * b) * alpha + 255 * (1 - alpha);
    }
  }
  return sum / (SAMPLES_PER_AXIS * SAMPLES_PER_AXIS);
}

export function hammingDistance(a: string, b: string): number {
  let diff = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (diff > 0n) {
    count += Number(diff & 1n);
    diff >>= 1n;
  }
  return count;
}

/**
 * The hash cut into 4 bands of 16 bits. Two hashes within 3 bits of each other always share a band (pigeonhole),
 * so looking up each band finds every close match, and most within NEAR_DUPLICATE_DISTANCE, without a scan.
 */
export function hashBands(hash: string): string[] {
  return Array.from({ length: BAND_COUNT }, (_, band) => hash.slice(band * 4, band * 4 + 4));
}
