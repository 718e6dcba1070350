// The console's body budgets, enforced before anything parses a body (the session check's CSRF lookup included).
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { MULTIPART_OVERHEAD_BYTES } from "../domain/upload.ts";
import { bodyTooLarge, limitBody } from "../middleware/body-limit.ts";

// The largest form is a rejection: a 500-character reason is under 5 KB even percent-encoded as 3-byte characters.
export const FORM_BODY_BYTES = 8 * 1024;
const UPLOAD_PATH = "/console/upload";

// An upload may carry the image limit plus multipart framing; every other console body is a small form.
const budget = (c: Context<AppEnv>) => (c.req.path === UPLOAD_PATH ? c.var.settings.maxUploadBytes + MULTIPART_OVERHEAD_BYTES : FORM_BODY_BYTES);

export const limitConsoleBody = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.req.raw.body) return next();
    const maxBytes = budget(c);
    // limitBody refuses a declared Content-Length over the budget unread, but takes a smaller one on trust, and a body
    // that arrives over a binding can run past its header. So the declared length is checked here and then dropped,
    // which makes limitBody count the bytes themselves as they stream.
    if (Number(c.req.header("content-length")) > maxBytes) throw bodyTooLarge(maxBytes);
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-length");
    c.req.raw = new Request(c.req.raw, { headers });
    return limitBody(maxBytes)(c, next);
  });
