// The console's page shell, its one small stylesheet and its live-update script: no build step.
import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ConsoleEnv } from "./session.ts";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

// Contrast: text #1a1a1a on #fff (17:1), links and buttons #0b5cad on white (6.4:1), focus outlines always visible.
export const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.75rem 1rem;background:#12355b;color:#fff}
header a{color:#fff}header .brand{font-weight:700;margin-right:auto;text-decoration:none}
header form{margin:0}header button{background:none;border:1px solid #fff;color:#fff;padding:.25rem .6rem}
main{max-width:60rem;margin:0 auto;padding:1rem}
a{color:#0b5cad}a:focus,button:focus,input:focus,textarea:focus{outline:3px solid #f5a623;outline-offset:2px}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
.queue{list-style:none;padding:0;margin:0;display:grid;gap:.75rem}
.queue li{display:flex;gap:.75rem;border:1px solid #c8c8c8;border-radius:.5rem;padding:.5rem;align-items:flex-start}
.queue li>div{min-width:0}.queue a,h1{overflow-wrap:anywhere}
.queue img{width:96px;height:96px;object-fit:cover;border-radius:.25rem;background:#eee;flex:none}
.meta{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem}.meta dt{font-weight:600}.meta dd{margin:0;overflow-wrap:anywhere}
.chips{list-style:none;padding:0;margin:.25rem 0;display:flex;flex-wrap:wrap;gap:.25rem}
.chips li{background:#e8eef5;border-radius:1rem;padding:0 .6rem;font-size:.875rem}
.task{display:grid;gap:1rem}@media(min-width:48rem){.task{grid-template-columns:1fr 1fr}}
.task img{max-width:100%;height:auto;border:1px solid #c8c8c8;border-radius:.5rem}
.status{display:inline-block;padding:0 .6rem;border-radius:1rem;background:#eee;font-weight:600}
.mark{display:inline-block;margin:.25rem 0;padding:0 .6rem;border-radius:1rem;font-weight:600}.mark-overdue{background:#fff3cd}.mark-escalated{background:#f8d7da}
.status-pending{background:#fff3cd}.status-approved,.status-completed{background:#d4edda}.status-rejected,.status-failed,.status-expired{background:#f8d7da}
.timeline{padding-left:1.25rem}.notice{padding:.75rem;border-radius:.5rem;border:2px solid #12355b;background:#eef4fb}
.error{border-color:#a61b1b;background:#fdecec}
form.stack{display:grid;gap:.5rem;max-width:28rem}label{font-weight:600}
input,textarea,button{font:inherit;padding:.5rem;border:1px solid #6b6b6b;border-radius:.375rem}
button{cursor:pointer;background:#0b5cad;color:#fff;border-color:#0b5cad;min-height:44px}
button.reject{background:#a61b1b;border-color:#a61b1b}
.decide{display:grid;gap:1rem}.pager{margin-top:1rem}
.scroll{overflow-x:auto}.sessions{border-collapse:collapse;width:100%}.sessions th,.sessions td{text-align:left;padding:.4rem;border-bottom:1px solid #c8c8c8;vertical-align:top}.sessions button{white-space:nowrap}
button.secondary{background:#fff;color:#0b5cad}
.queue li>input{width:1.5rem;height:1.5rem;margin:.25rem 0;flex:none}
.bulk{display:grid;gap:.5rem;margin-bottom:1rem;padding:.75rem;border:1px solid #c8c8c8;border-radius:.5rem}.bulk p{margin:0}
.bulk-actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.bulk-actions textarea{flex:1 1 12rem;min-width:0}
.bulk-status:empty{display:none}.bulk-status{padding:.5rem;border:2px solid #12355b;border-radius:.5rem;background:#eef4fb}
.review{display:grid;gap:1rem}@media(min-width:48rem){.review{grid-template-columns:3fr 2fr}}
.review img{width:100%;height:auto;max-height:75vh;object-fit:contain;background:#f3f3f3;border:1px solid #c8c8c8;border-radius:.5rem}
.review-nav,.review-actions{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.5rem 0}.review-actions form{margin:0}
dialog{max-width:min(32rem,calc(100vw - 2rem));border:2px solid #12355b;border-radius:.5rem}dialog::backdrop{background:rgb(0 0 0/.4)}
[data-recent-reasons]{display:grid;gap:.25rem}[data-recent-reasons] p{margin:0}
.keys{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem}.keys dd{margin:0}
kbd{font:inherit;font-weight:700;border:1px solid #6b6b6b;border-radius:.25rem;padding:0 .3rem}
h1:focus{outline:none}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`;

// Polls the fragment URL with If-None-Match every 2 s and swaps the region in place; a 304 costs nothing.
export const LIVE_SCRIPT = `
for (const region of document.querySelectorAll("[data-live]")) {
  let etag = region.dataset.etag || "";
  const tick = async () => {
    try {
      const response = await fetch(region.dataset.live, { headers: etag ? { "if-none-match": etag } : {}, credentials: "same-origin" });
      // A session that ended (signed out or revoked elsewhere) redirects to sign-in: go there, rather than leave a page that no longer works.
      if (response.redirected) { location.assign(response.url); return; }
      if (response.status === 200) {
        etag = response.headers.get("etag") || "";
        region.innerHTML = await response.text();
        // The triage script puts selections and focus back into the new markup.
        region.dispatchEvent(new Event("live-update", { bubbles: true }));
      }
    } catch {}
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
}`;

export function page(title: string, body: Html, options: { signedInAs?: string; csrf?: string } = {}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Greenlight</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/live.js" defer></script>
<script src="/console/assets/triage.js" defer></script>
</head>
<body>
<header>
  <a class="brand" href="/console">Greenlight</a>
  ${
    options.signedInAs
      ? html`<nav aria-label="Console"><a href="/console">Queue</a> · <a href="/console/review">Review mode</a> · <a href="/console/upload">Upload</a> · <a href="/console/dashboard">Dashboard</a> · <a href="/console/sessions">Sessions</a></nav>
  <span>Signed in as ${options.signedInAs}</span>
  <form method="post" action="/console/sign-out"><input type="hidden" name="csrf" value="${options.csrf ?? ""}"><button type="submit">Sign out</button></form>`
      : ""
  }
</header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

/** A page for a signed-in reviewer: the header names them and carries the sign-out form. */
export const shell = (c: Context<ConsoleEnv>, title: string, body: Html): Html =>
  page(title, body, { signedInAs: c.var.session.name, csrf: c.var.csrf });
