// Everyday colour names and the dominant colours of a thumbnail, shared by the upload pre-screen and the embedded tagger.

/** The everyday name of a colour (0..255 channels), by hue, saturation and value. */
export function colourName(r: number, g: number, b: number): string {
  const max = Math.max(r, g, b);
  const chroma = max - Math.min(r, g, b);
  const value = max / 255;
  const saturation = max === 0 ? 0 : chroma / max;
  if (value < 0.2) return "black";
  if (saturation < 0.15 || chroma < 20) {
    if (value > 0.85) return "white";
    return value < 0.3 ? "black" : "gray";
  }
  const hue = hueOf(r, g, b, max, chroma);
  if (hue < 15 || hue >= 345) return saturation < 0.5 && value > 0.7 ? "pink" : "red";
  if (hue < 45) return value < 0.65 ? "brown" : "orange";
  if (hue < 70) return value < 0.5 ? "brown" : "yellow";
  if (hue < 165) return "green";
  if (hue < 195) return "cyan";
  if (hue < 255) return "blue";
  if (hue < 315) return "purple";
  return "pink";
}

function hueOf(r: number, g: number, b: number, max: number, chroma: number): number {
  const sector = max === r ? (g - b) / chroma + 6 : max === g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
  return (sector * 60) % 360;
}

/** A colour is named when it covers at least this share of the visible pixels. */
const COLOUR_SHARE_THRESHOLD = 0.1;

/**
 * [name, share of the visible pixels] for each colour covering COLOUR_SHARE_THRESHOLD or more, largest first.
 * `rgba` is a thumbnail squeezed from the whole image, so every pixel stands for the same share of it.
 */
export function dominantColours(rgba: ArrayLike<number>): [string, number][] {
  const counts = new Map<string, number>();
  let visible = 0;
  for (let i = 0; i + 3 < rgba.length; i += 4) {
    if ((rgba[i + 3] ?? 0) < 128) continue; // transparent pixels have no colour to speak of
    visible++;
    const name = colourName(rgba[i] ?? 0, rgba[i + 1] ?? 0, rgba[i + 2] ?? 0);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .map(([name, count]): [string, number] => [name, Math.round((count / visible) * 100) / 100])
    .filter(([, share]) => share >= COLOUR_SHARE_THRESHOLD)
    .sort((a, b) => b[1] - a[1]);
}
