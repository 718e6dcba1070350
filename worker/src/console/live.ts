// Fragments for the live-update script: an ETag over the HTML, so an unchanged fragment answers 304.
import type { Context } from "hono";

export async function etagOf(markup: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(markup)));
  return `W/"${Array.from(digest.slice(0, 16), (byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

export async function fragmentResponse(c: Context, markup: string): Promise<Response> {
  const etag = await etagOf(markup);
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, { etag });
  return c.html(markup, 200, { etag });
}
