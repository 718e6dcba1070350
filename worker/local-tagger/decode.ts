// Turns upload bytes into what the tagger looks at: header facts, a letterboxed model input and a colour thumbnail.
import sharp from "sharp";
import { TaggerError, undecodableImage } from "./errors.ts";

export const ACCEPTED_FORMATS = ["jpeg", "png", "gif", "webp"] as const;
export type ImageFormat = (typeof ACCEPTED_FORMATS)[number];

// 100 MP is past any camera a client uploads from; a small PNG that claims more is a decompression bomb.
const MAX_PIXELS = 100_000_000;
const THUMBNAIL_SIZE = 64; // 4,096 pixels are plenty to name the colours covering a tenth of an image

/** Raw 8-bit pixels, row by row: RGB or RGBA as the field that holds it says. */
export type Raster = { data: Uint8Array; width: number; height: number };

export type DecodedImage = {
  format: ImageFormat;
  /** Upright size: EXIF orientation already applied. */
  width: number;
  height: number;
  exif: Buffer | undefined;
  /** RGB. Upright, flattened on white, letterboxed on black into a square: what the detectors see. */
  modelInput: Raster;
  /** RGBA. Upright, squeezed into THUMBNAIL_SIZE squared: every pixel stands for the same share of the image. */
  thumbnail: Raster;
};

/** Decodes the first frame of a PNG, JPEG, GIF or WebP; throws a 422 TaggerError for anything else. */
export async function decodeImage(bytes: Uint8Array, modelInputSize: number): Promise<DecodedImage> {
  if (bytes.byteLength === 0) throw undecodableImage("the body is empty");
  // failOn "warning" (sharp's default, named here on purpose): a truncated JPEG is refused, not half-decoded.
  const input = sharp(bytes, { failOn: "warning", limitInputPixels: MAX_PIXELS, autoOrient: true });
  try {
    const meta = await input.metadata();
    if (!isAccepted(meta.format)) throw undecodableImage(`${meta.format} images are not accepted; send PNG, JPEG, GIF or WebP`);
    const [model, thumb] = await Promise.all([
      input
        .clone()
        .flatten({ background: "#ffffff" })
        .resize(modelInputSize, modelInputSize, { fit: "contain", background: "#000000" })
        .toColourspace("srgb")
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true }),
      input
        .clone()
        .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "fill" })
        .toColourspace("srgb")
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true }),
    ]);
    return {
      format: meta.format,
      width: meta.autoOrient.width,
      height: meta.autoOrient.height,
      exif: meta.exif,
      modelInput: { data: model.data, width: model.info.width, height: model.info.height },
      thumbnail: { data: thumb.data, width: thumb.info.width, height: thumb.info.height },
    };
  } catch (error) {
    if (error instanceof TaggerError) throw error;
    throw undecodableImage(`cannot decode the image: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

function isAccepted(format: string): format is ImageFormat {
  return (ACCEPTED_FORMATS as readonly string[]).includes(format);
}
