// Reads a request body in full at each place the API takes one, so a body that breaks off is a 400, never a 500.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { invalidRequest } from "../errors.ts";

/**
 * workerd rejects the read with `Error: Network connection lost.` when a body ends before its Content-Length
 * or the client hangs up part-way. Reading the body is all that happens here and nothing is written before it,
 * so any failure is the client's. Hono caches the bytes: the parsers that run afterwards (zod-openapi's JSON
 * validator, formData) reuse them and only ever judge a complete body.
 */
export async function readBody(c: Context): Promise<ArrayBuffer> {
  try {
    return await c.req.arrayBuffer();
  } catch {
    throw invalidRequest("The body could not be read in full: it ended before its Content-Length, or the connection broke.");
  }
}

/** For routes whose body the JSON validator parses: place it after the body limit and before validation. */
export const readJsonBody = () =>
  createMiddleware(async (c, next) => {
    await readBody(c);
    await next();
  });
