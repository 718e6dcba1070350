// Bounds a request body before anything parses it: its bytes are counted as they arrive, and one that breaks off is a 400.
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { AppError, invalidRequest } from "../errors.ts";

export type BodyBudget = { maxBytes: number; tooLarge: AppError };

export const bodyTooLarge = (maxBytes: number) =>
  new AppError(413, "payload_too_large", `The body must be at most ${maxBytes} bytes.`, { maxBytes });

/** A budget of `maxBytes` for every request, refused with the plain 413. */
export const fixedBudget = (maxBytes: number) => (): BodyBudget => ({ maxBytes, tooLarge: bodyTooLarge(maxBytes) });

const bodyUnreadable = () =>
  invalidRequest("The body could not be read in full: it ended before its Content-Length, or the connection broke.");

/**
 * Every route that reads a body sits behind this, so handlers and Hono's parsers only ever see a complete body within
 * its budget, and a refused body was never parsed. A declared Content-Length over the budget is refused unread.
 */
export const limitBody = <E extends AppEnv>(budget: (c: Context<E>) => BodyBudget) =>
  createMiddleware<E>(async (c, next) => {
    if (!c.req.raw.body) return next();
    const { maxBytes, tooLarge } = budget(c);
    if (Number(c.req.header("content-length")) > maxBytes) throw tooLarge;
    // hono's bodyLimit takes a declared Content-Length on trust and counts the bytes only when there is none; a body
    // handed over by another Worker can run past its header. So the header goes, and every byte is counted.
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-length");
    c.req.raw = new Request(c.req.raw, { headers });
    let handled = false;
    const limit = bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw tooLarge;
      },
    });
    try {
      return await limit(c, async () => {
        handled = true;
        await next();
      });
    } catch (error) {
      // Before the handler runs, only reading the body can fail: it ended before its Content-Length (workerd says
      // "Network connection lost.") or the client hung up part-way. Either way it is the client's, and nothing was written.
      if (handled || error === tooLarge) throw error;
      throw bodyUnreadable();
    }
  });
