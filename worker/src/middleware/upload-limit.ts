// Refuses oversize uploads from Content-Length, or while streaming, before the whole body is read.
import type { AppEnv } from "../app-env.ts";
import { MULTIPART_OVERHEAD_BYTES } from "../domain/upload.ts";
import { AppError } from "../errors.ts";
import { limitBody } from "./body-limit.ts";

export const payloadTooLarge = (maxBytes: number) =>
  new AppError(413, "payload_too_large", `The image must be at most ${maxBytes} bytes.`, { maxBytes });

export const uploadLimit = () =>
  limitBody<AppEnv>((c) => {
    const maxBytes = c.var.settings.maxUploadBytes;
    const multipart = c.req.header("content-type")?.toLowerCase().startsWith("multipart/form-data") ?? false;
    // Multipart framing and fields ride on top; the image part itself is checked against maxBytes after parsing.
    return { maxBytes: multipart ? maxBytes + MULTIPART_OVERHEAD_BYTES : maxBytes, tooLarge: payloadTooLarge(maxBytes) };
  });
