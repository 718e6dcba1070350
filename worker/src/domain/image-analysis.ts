// Cheap facts read from the pixels at upload: format, orientation, dominant colours and a perceptual hash.
import { colourName } from "./colour-name.ts";
import { decodeImage, type Pixels } from "./image-decode.ts";
import { probeImage } from "./image-probe.ts";
import { perceptualHash } from "./perceptual-hash.ts";
import type { Tag } from "./task.ts";

const SAMPLE_TARGET = 65_536; // pixels looked at, whatever the size: a 20 MP image is sampled every 17th pixel
const COLOUR_THRESHOLD = 0.1; // a colour is named when it covers at least this share of the visible pixels

export type ImageAnalysis = { tags: Tag[]; perceptualHash: string };

/** Fact tags (best first) and the dHash; throws an Error when the bytes are not a decodable PNG, JPEG, GIF or WebP. */
export function analyzeImage(bytes: Uint8Array): ImageAnalysis {
  const probe = probeImage(bytes);
  if (probe === null) throw new Error("cannot analyze image: not a PNG, JPEG, GIF or WebP with a readable size");
  const { contentType, width, height } = probe;
  let pixels: Pixels;
  try {
    pixels = decodeImage(contentType, width, height, bytes);
  } catch (error) {
    throw new Error(`cannot decode ${contentType}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const tags: Tag[] = [...shapeFacts(contentType, width, height), ...dominantColours(pixels)];
  // Array.prototype.sort is stable (ES2019), so equal scores keep the order above.
  return { tags: tags.sort((a, b) => b.score - a.score), perceptualHash: perceptualHash(pixels) };
}

/** Format and orientation: facts known from the header alone, even when the pixels cannot be read. */
export function shapeFacts(contentType: string, width: number, height: number): Tag[] {
  return [
    { label: contentType.slice("image/".length), score: 1, source: "format" },
    { label: orientationOf(width, height), score: 1, source: "geometry" },
  ];
}

function orientationOf(width: number, height: number): string {
  // Within 5% counts as square: a 1000x1010 photo is square to anyone looking at it.
  if (Math.abs(width - height) <= 0.05 * Math.max(width, height)) return "square";
  return width > height ? "landscape" : "portrait";
}

function dominantColours({ width, height, at }: Pixels): Tag[] {
  const stride = Math.max(1, Math.floor(Math.sqrt((width * height) / SAMPLE_TARGET)));
  const counts = new Map<string, number>();
  let visible = 0;
  for (let y = Math.floor(stride / 2); y < height; y += stride) {
    for (let x = Math.floor(stride / 2); x < width; x += stride) {
      const [r, g, b, a] = at(x, y);
      if (a < 128) continue; // transparent pixels have no colour to speak of
      visible++;
      const name = colourName(r, g, b);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts]
    .map(([label, count]) => ({ label, score: Math.round((count / visible) * 1000) / 1000, source: "colour" }))
    .filter((tag) => tag.score >= COLOUR_THRESHOLD);
}
