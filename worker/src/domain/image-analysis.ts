// Cheap facts for reviewers: format and orientation from the image's size, colours and a perceptual hash from its thumbnail.
import { dominantColours } from "./colours.ts";
import { perceptualHash } from "./perceptual-hash.ts";
import type { Tag } from "./task.ts";
import type { Thumbnail } from "./thumbnail.ts";

export type ImageAnalysis = { tags: Tag[]; perceptualHash: string };

/** Fact tags (format, orientation, then colours, largest first) and the dHash. */
export function analyzeThumbnail(contentType: string, width: number, height: number, thumbnail: Thumbnail): ImageAnalysis {
  // A colour's score is its share of the image: certain, but not all of the picture.
  const colours = dominantColours(thumbnail.rgba).map(([label, share]) => ({ label, score: share, source: "colour" }));
  return { tags: [...shapeFacts(contentType, width, height), ...colours], perceptualHash: perceptualHash(thumbnail) };
}

/** Format and orientation: facts known from the header alone, even when the pixels cannot be read. */
export function shapeFacts(contentType: string, width: number, height: number): Tag[] {
  return [
    { label: contentType.slice("image/".length), score: 1, source: "format" },
    { label: orientationOf(width, height), score: 1, source: "geometry" },
  ];
}

/** Upright width and height in; within 5% counts as square: a 1000x1010 photo is square to anyone looking at it. */
export function orientationOf(width: number, height: number): "square" | "landscape" | "portrait" {
  if (Math.abs(width - height) <= 0.05 * Math.max(width, height)) return "square";
  return width > height ? "landscape" : "portrait";
}
