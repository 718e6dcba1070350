// The pre-screen's thumbnail: made from the upload by the Images service, small enough to read safely in the Worker.
import { convertIndexedToRgb, type DecodedPng, decode } from "fast-png";
import { probeImage } from "./image-probe.ts";

/** 9x8 cells of 4x4 pixels for the perceptual hash, and 1,152 pixels to measure colour shares with. */
export const THUMBNAIL = { width: 36, height: 32 } as const;

/** 8-bit RGBA, row by row, squeezed from the whole image: every pixel stands for the same share of it. */
export type Thumbnail = { width: number; height: number; rgba: Uint8Array };

/** The thumbnail's pixels; throws unless `png` is a PNG of exactly THUMBNAIL's size. */
export function readThumbnail(png: Uint8Array): Thumbnail {
  const probe = probeImage(png);
  // Whatever the service answered, nothing bigger than the thumbnail is ever decoded in the isolate.
  if (probe?.contentType !== "image/png" || probe.width !== THUMBNAIL.width || probe.height !== THUMBNAIL.height) {
    throw new Error(`the thumbnail is not a ${THUMBNAIL.width}x${THUMBNAIL.height} PNG`);
  }
  const image = decode(png, { checkCrc: true });
  return { width: image.width, height: image.height, rgba: toRgba(image) };
}

// libvips writes 8- or 16-bit grey, grey + alpha, RGB or RGBA, or a palette when asked for one.
function toRgba(image: DecodedPng): Uint8Array {
  const palette = image.palette !== undefined;
  if (!palette && image.depth !== 8 && image.depth !== 16) throw new Error(`a ${image.depth}-bit thumbnail is not expected`);
  const source = palette ? convertIndexedToRgb(image) : image.data;
  const channels = palette ? (image.palette?.[0]?.length ?? 3) : image.channels;
  const shift = !palette && image.depth === 16 ? 8 : 0;
  const pixels = image.width * image.height;
  const rgba = new Uint8Array(pixels * 4);
  for (let pixel = 0; pixel < pixels; pixel++) {
    const value = (channel: number) => (source[pixel * channels + channel] ?? 0) >> shift;
    const grey = channels <= 2;
    rgba.set(
      [value(0), grey ? value(0) : value(1), grey ? value(0) : value(2), channels === 2 ? value(1) : channels === 4 ? value(3) : 255],
      pixel * 4,
    );
  }
  return rgba;
}
