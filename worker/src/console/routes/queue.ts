// The pending queue: its page, and the fragment the page's live script polls.
import { type Context, Hono } from "hono";
import { etag } from "hono/etag";
import { html, raw } from "hono/html";
import { listReviews } from "../../services/reviews.ts";
import { shell } from "../layout.ts";
import { etagOf, fragment } from "../live.ts";
import { queueList } from "../queue-view.ts";
import type { ConsoleEnv } from "../session.ts";

const QUEUE_PAGE = 20;

async function queueMarkup(c: Context<ConsoleEnv>, cursor: string | undefined) {
  const { items, nextCursor } = await listReviews(c.env, c.var.settings, new URL(c.req.url).origin, QUEUE_PAGE, cursor);
  return { list: String(await queueList(items, Date.now())), nextCursor };
}

export const queue = new Hono<ConsoleEnv>();

queue.get("/", async (c) => {
  const cursor = c.req.query("cursor") || undefined;
  const { list, nextCursor } = await queueMarkup(c, cursor);
  const live = `/console/queue${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`;
  return c.html(
    shell(
      c,
      "Queue",
      html`<h1>Waiting for review</h1>
<section aria-live="polite" data-live="${live}" data-etag="${await etagOf(list)}">${raw(list)}</section>
<nav class="pager" aria-label="Pages">${cursor ? html`<a href="/console">First page</a> ` : ""}${nextCursor ? html`<a href="/console?cursor=${encodeURIComponent(nextCursor)}">Next page</a>` : ""}</nav>`,
    ),
  );
});

queue.get("/queue", etag(), async (c) => fragment(c, (await queueMarkup(c, c.req.query("cursor") || undefined)).list));
