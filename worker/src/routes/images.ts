// Signed, expiring image URLs for Slack and n8n previews.
import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../errors.ts";
import { createRouter, errorResponses } from "../router.ts";
import { previewImage } from "../services/task-image.ts";

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
  const image = await previewImage(c.env, c.var.settings.decisionSecret, { taskId: id, ...c.req.valid("query") }, new Date());
  if (!image) throw invalidSignature();
  return c.body(image.body, 200, { "Content-Type": image.contentType, "Cache-Control": "private, max-age=300" });
});
