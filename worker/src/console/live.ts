// Fragments for the live-update script: each carries an ETag over its HTML, and Hono's etag() answers an unchanged
// one with 304.
import type { Context } from "hono";
import { base64url } from "jose";

/** The page embeds its live region's tag, and the fragment sends the same one, so the first poll is already a 304. */
export async function etagOf(markup: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(markup)));
  return `W/"${base64url.encode(digest.slice(0, 16))}"`;
}

/** A fragment answer; the route puts etag() in front of it. */
export const fragment = async (c: Context, markup: string) => c.html(markup, 200, { ETag: await etagOf(markup) });
