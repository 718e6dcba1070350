// Tells what an uploaded file really is (PNG, JPEG, GIF or WebP, by its magic bytes) and how big it is.
import { imageSize } from "image-size";

export const SUPPORTED_CONTENT_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
export type SupportedContentType = (typeof SUPPORTED_CONTENT_TYPES)[number];

export type ImageProbe = { contentType: SupportedContentType; width: number; height: number };

const IMAGE_SIZE_TYPES: Record<SupportedContentType, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
};

function startsWith(bytes: Uint8Array, magic: readonly number[], offset = 0): boolean {
  return bytes.length >= offset + magic.length && magic.every((byte, i) => bytes[offset + i] === byte);
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** The content type named by the magic bytes alone, or null when they match none of the four formats. */
export function sniffContentType(bytes: Uint8Array): SupportedContentType | null {
  if (startsWith(bytes, [0x89, ...ascii("PNG\r\n\x1a\n")])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  return null;
}

/** The type and displayed size of an image, or null when it is not one of the four formats or its size is unreadable. */
export function probeImage(bytes: Uint8Array): ImageProbe | null {
  const contentType = sniffContentType(bytes);
  if (contentType === null) return null;
  // image-size reads a lossless WebP's size by indexing, taking missing bytes as 0; every WebP size
  // field ends within the first 30 bytes, so shorter ones are refused here.
  if (contentType === "image/webp" && bytes.length < 30) return null;
  let size: ReturnType<typeof imageSize>;
  try {
    // image-size throws (TypeError, RangeError from DataView) on truncated or malformed headers. Its
    // DataViews are bounded by the whole ArrayBuffer, not the view, so a view gets its own copy.
    size = imageSize(ownsBuffer(bytes) ? bytes : bytes.slice());
  } catch {
    return null;
  }
  const { type, width, height, orientation } = size;
  // Its own detector must agree with the magic bytes, or the header is not what it claims to be.
  if (type !== IMAGE_SIZE_TYPES[contentType]) return null;
  if (!isDimension(width) || !isDimension(height)) return null;
  // EXIF orientations 5 to 8 rotate the picture a quarter turn: browsers show it height x width.
  const rotated = orientation !== undefined && orientation >= 5 && orientation <= 8;
  return rotated ? { contentType, width: height, height: width } : { contentType, width, height };
}

function isDimension(value: number | undefined): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

function ownsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}
