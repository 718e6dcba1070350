// Perceptual hashes (dHash) of thumbnails, and the banded keys that find near-duplicates among earlier uploads.
import type { Thumbnail } from "./thumbnail.ts";

const COLUMNS = 9;
const ROWS = 8;
export const BAND_COUNT = 4;
// Two 64-bit hashes within this many differing bits look alike to a person (same photo re-encoded, resized, lightly edited).
export const NEAR_DUPLICATE_DISTANCE = 10;

/**
 * dHash: shrink to 9x8 greys and record, per row, whether each cell is brighter than its right neighbour.
 * Robust to scaling, re-encoding and small colour shifts; 16 hex characters.
 */
export function perceptualHash(thumbnail: Thumbnail): string {
  let bits = 0n;
  for (let row = 0; row < ROWS; row++) {
    const greys = Array.from({ length: COLUMNS }, (_, column) => cellGrey(thumbnail, column, row));
    for (let column = 0; column < COLUMNS - 1; column++) {
      bits = (bits << 1n) | ((greys[column] ?? 0) > (greys[column + 1] ?? 0) ? 1n : 0n);
    }
  }
  return bits.toString(16).padStart(16, "0");
}

/** The mean grey of the cell's block of thumbnail pixels. */
function cellGrey({ width, height, rgba }: Thumbnail, column: number, row: number): number {
  const [x0, x1] = span(column, COLUMNS, width);
  const [y0, y1] = span(row, ROWS, height);
  let sum = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 4;
      // Transparent pixels count as white, as an image viewer would show them on a light page.
      const alpha = (rgba[i + 3] ?? 0) / 255;
      const grey = 0.299 * (rgba[i] ?? 0) + 0.587 * (rgba[i + 1] ?? 0) + 0.114 * (rgba[i + 2] ?? 0);
      sum += grey * alpha + 255 * (1 - alpha);
    }
  }
  return sum / ((x1 - x0) * (y1 - y0));
}

// The pixels [start, end) of cell `index` of `cells` along a side of `length` pixels; never empty.
function span(index: number, cells: number, length: number): [number, number] {
  const start = Math.min(length - 1, Math.floor((index * length) / cells));
  return [start, Math.max(start + 1, Math.floor(((index + 1) * length) / cells))];
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
