// Refuses a request body over a size, from Content-Length or while it streams, before anything parses it.
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../errors.ts";

export const bodyTooLarge = (maxBytes: number) =>
  new AppError(413, "payload_too_large", `The body must be at most ${maxBytes} bytes.`, { maxBytes });

/** For JSON and form bodies: a few KiB is all any of them needs, so a huge body never reaches a parser. */
export const limitBody = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw bodyTooLarge(maxBytes);
    },
  });
