// Dominant colours by everyday name: which of a dozen colour words cover a real share of an image.
import { colourName } from "../src/domain/colour-name.ts";
import type { Raster } from "./decode.ts";

/** A colour is named when it covers at least this share of the visible pixels. */
export const COLOUR_SHARE_THRESHOLD = 0.1;

/** [name, share of the visible pixels] for each colour covering COLOUR_SHARE_THRESHOLD or more, largest first. */
export function dominantColours({ data }: Raster): [string, number][] {
  const counts = new Map<string, number>();
  let visible = 0;
  for (let i = 0; i + 3 < data.length; i += 4) {
    if ((data[i + 3] ?? 0) < 128) continue; // transparent pixels have no colour to speak of
    visible++;
    const name = colourName(data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .map(([name, count]): [string, number] => [name, Math.round((count / visible) * 100) / 100])
    .filter(([, share]) => share >= COLOUR_SHARE_THRESHOLD)
    .sort((a, b) => b[1] - a[1]);
}
