// The console's body budgets, enforced before anything parses a body (the session check's CSRF lookup included).
import type { AppEnv } from "../app-env.ts";
import { MULTIPART_OVERHEAD_BYTES } from "../domain/upload.ts";
import { bodyTooLarge, limitBody } from "../middleware/body-limit.ts";

// The largest form is a rejection: a 500-character reason is under 5 KB even percent-encoded as 3-byte characters.
export const FORM_BODY_BYTES = 8 * 1024;
const UPLOAD_PATH = "/console/upload";

// An upload may carry the image limit plus multipart framing; every other console body is a small form.
export const limitConsoleBody = () =>
  limitBody<AppEnv>((c) => {
    const maxBytes = c.req.path === UPLOAD_PATH ? c.var.settings.maxUploadBytes + MULTIPART_OVERHEAD_BYTES : FORM_BODY_BYTES;
    return { maxBytes, tooLarge: bodyTooLarge(maxBytes) };
  });
