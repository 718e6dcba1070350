// Cheap facts about an image, certain rather than guessed (score 1): format, orientation, colours, camera.
import exifReader from "exif-reader";
import { dominantColours } from "../src/domain/colours.ts";
import { orientationOf } from "../src/domain/image-analysis.ts";
import type { Tag } from "../src/domain/tag.ts";
import type { DecodedImage } from "./decode.ts";

const MAX_CAMERA_LABEL = 100;

/** Fact tags, in a fixed order: format, orientation, camera (when EXIF names one), then colours, largest first. */
export function factTags(image: DecodedImage): Tag[] {
  const camera = cameraOf(image.exif);
  return [
    { label: image.format, score: 1, source: "format" },
    { label: orientationOf(image.width, image.height), score: 1, source: "geometry" },
    ...(camera ? [{ label: camera, score: 1, source: "exif" }] : []),
    // A colour's score is its share of the image: certain, but not all of the picture.
    ...dominantColours(image.thumbnail.data).map(([label, share]) => ({ label, score: share, source: "colour" })),
  ];
}

/** "Canon EOS 5D Mark II" from Make "Canon" and Model "Canon EOS 5D Mark II"; "Apple iPhone 12" from "Apple" and "iPhone 12". */
export function cameraOf(exif: Buffer | undefined): string | undefined {
  if (!exif) return undefined;
  let tags: ReturnType<typeof exifReader>;
  try {
    tags = exifReader(exif);
  } catch {
    return undefined; // broken EXIF is common (edited files) and says nothing about the pixels
  }
  const make = clean(tags.Image?.Make);
  const model = clean(tags.Image?.Model);
  if (!make || !model) return make || model || undefined;
  const brand = make.split(" ")[0]?.toLowerCase() ?? "";
  const label = model.toLowerCase().startsWith(brand) ? model : `${make} ${model}`;
  return label.slice(0, MAX_CAMERA_LABEL);
}

function clean(value: unknown): string {
  // EXIF strings are NUL-padded ASCII; some cameras pad with spaces instead.
  return typeof value === "string" ? value.replaceAll("\0", "").replace(/\s+/g, " ").trim() : "";
}
