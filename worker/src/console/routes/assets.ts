// The console's stylesheets and scripts, served from its own origin so the CSP can allow only 'self'.
import { Hono } from "hono";
// uPlot's own files, bundled as text by wrangler.toml's [[rules]].
import UPLOT_CSS from "uplot/dist/uPlot.min.css";
import UPLOT_SCRIPT from "uplot/dist/uPlot.iife.min.js";
import { DASHBOARD_SCRIPT } from "../dashboard-view.ts";
import { LIVE_SCRIPT, STYLE } from "../layout.ts";
import { TRIAGE_SCRIPT } from "../triage-script.ts";

// A string at run time (the rule above), but vite/client's bare `*.css` declaration, which worker/test/api-doc.test.ts
// references for its ?raw imports, shadows the generated `*/uPlot.min.css` one in the type checker.
const UPLOT_STYLE = UPLOT_CSS as unknown as string;
const ASSET_CACHE = "public, max-age=300";
const CSS = { "Content-Type": "text/css; charset=utf-8", "Cache-Control": ASSET_CACHE };
const JS = { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": ASSET_CACHE };

export const assets = new Hono()
  .get("/console.css", (c) => c.body(STYLE, 200, CSS))
  .get("/live.js", (c) => c.body(LIVE_SCRIPT, 200, JS))
  .get("/triage.js", (c) => c.body(TRIAGE_SCRIPT, 200, JS))
  .get("/uplot.css", (c) => c.body(UPLOT_STYLE, 200, CSS))
  .get("/uplot.js", (c) => c.body(UPLOT_SCRIPT, 200, JS))
  .get("/dashboard.js", (c) => c.body(DASHBOARD_SCRIPT, 200, JS));
