// The pending queue: its page, with the bulk form its rows belong to, and the fragment the page's live script polls.
import { type Context, Hono } from "hono";
import { etag } from "hono/etag";
import { html, raw } from "hono/html";
import { listReviews } from "../../services/reviews.ts";
import { bulkForm } from "../bulk-view.ts";
import { announcer } from "../keys-view.ts";
import { shell } from "../layout.ts";
import { etagOf, fragment } from "../live.ts";
import { queueList } from "../queue-view.ts";
import type { ConsoleEnv } from "../session.ts";

/** Tasks on a queue page, and so the most one bulk decision takes. */
export const QUEUE_PAGE = 20;

async function queueMarkup(c: Context<ConsoleEnv>, cursor: string | undefined) {
  const { items, nextCursor } = await listReviews(c.env, c.var.settings, new URL(c.req.url).origin, QUEUE_PAGE, cursor);
  return { list: String(await queueList(items, Date.now())), nextCursor };
}

export const queue = new Hono<ConsoleEnv>();

queue.get("/", async (c) => {
  const cursor = c.req.query("cursor") || undefined;
  const { list, nextCursor } = await queueMarkup(c, cursor);
  const live = `/console/queue${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`;
  // The bulk form's decision id is this page's, outside the live region, whose markup (and ETag) stays the same.
  return c.html(
    shell(
      c,
      "Queue",
      html`<h1>Waiting for review</h1>
<p><a href="/console/review">Review one at a time, from the keyboard</a></p>
${bulkForm({ csrf: c.var.csrf, decisionId: crypto.randomUUID() })}
${announcer}
<section aria-live="polite" aria-label="Pending tasks" data-live="${live}" data-etag="${await etagOf(list)}">${raw(list)}</section>
<nav class="pager" aria-label="Pages">${cursor ? html`<a href="/console">First page</a> ` : ""}${nextCursor ? html`<a href="/console?cursor=${encodeURIComponent(nextCursor)}">Next page</a>` : ""}</nav>`,
    ),
  );
});

queue.get("/queue", etag(), async (c) => fragment(c, (await queueMarkup(c, c.req.query("cursor") || undefined)).list));
