// Refuses oversize uploads from Content-Length, or while streaming, before the whole body is read.
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { MULTIPART_OVERHEAD_BYTES } from "../domain/upload.ts";
import { AppError } from "../errors.ts";

export const payloadTooLarge = (maxBytes: number) =>
  new AppError(413, "payload_too_large", `The image must be at most ${maxBytes} bytes.`, { maxBytes });

export const uploadLimit = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const maxBytes = c.var.settings.maxUploadBytes;
    const multipart = c.req.header("content-type")?.toLowerCase().startsWith("multipart/form-data") ?? false;
    const limit = bodyLimit({
      // Multipart framing and fields ride on top; the image part itself is checked against maxBytes after parsing.
      maxSize: multipart ? maxBytes + MULTIPART_OVERHEAD_BYTES : maxBytes,
      onError: () => {
        throw payloadTooLarge(maxBytes);
      },
    });
    return limit(c, next);
  });
