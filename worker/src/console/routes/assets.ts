// The console's stylesheet and live-update script, served from its own origin so the CSP can allow only 'self'.
import { Hono } from "hono";
import { LIVE_SCRIPT, STYLE } from "../layout.ts";

const ASSET_CACHE = "public, max-age=300";

export const assets = new Hono()
  .get("/console.css", (c) => c.body(STYLE, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": ASSET_CACHE }))
  .get("/live.js", (c) => c.body(LIVE_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": ASSET_CACHE }));
