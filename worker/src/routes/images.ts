// Signed, expiring image URLs for Slack and n8n previews.
import { createRoute, z } from "@hono/zod-openapi";
import { getImage } from "../adapters/image-store.ts";
import { verifyPreviewSignature } from "../domain/preview-url.ts";
import { AppError } from "../errors.ts";
import { createRouter, errorResponses } from "../router.ts";

const invalidSignature = () => new AppError(403, "invalid_signature", "This image link is invalid or has expired.");

const preview = createRoute({
  method: "get",
  path: "/v1/images/{id}",
  summary: "Fetch an image through a signed preview URL",
  request: {
    params: z.object({ id: z.string().meta({ param: { name: "id", in: "path" } }) }),
    query: z.object({ expires: z.string().optional(), sig: z.string().optional() }),
  },
  responses: {
    200: { description: "The image bytes.", content: { "image/*": { schema: { type: "string", format: "binary" } } } },
    ...errorResponses({ 403: ["invalid_signature"] }),
  },
});

export const images = createRouter().openapi(preview, async (c) => {
  const { id } = c.req.valid("param");
  const { expires, sig } = c.req.valid("query");
  if (!(await verifyPreviewSignature(c.var.settings.decisionSecret, id, expires, sig, new Date()))) throw invalidSignature();
  const object = await getImage(c.env.IMAGES, id);
  if (!object) throw invalidSignature();
  const contentType = object.httpMetadata?.contentType ?? "application/octet-stream";
  return c.body(object.body, 200, { "Content-Type": contentType, "Cache-Control": "private, max-age=300" });
});
