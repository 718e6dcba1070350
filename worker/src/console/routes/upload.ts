// Uploading an image through the console, as client "console", with no callback.
import { Hono } from "hono";
import { parseMetadata } from "../../domain/upload.ts";
import { AppError } from "../../errors.ts";
import { createTask } from "../../services/create-task.ts";
import { uploadForm } from "../forms-view.ts";
import { shell } from "../layout.ts";
import type { ConsoleEnv } from "../session.ts";

export const upload = new Hono<ConsoleEnv>();

upload.get("/", (c) => c.html(shell(c, "Upload", uploadForm(c.var.csrf, null))));

upload.post("/", async (c) => {
  const form = await c.req.parseBody();
  const fail = (message: string, status: number) => c.html(shell(c, "Upload", uploadForm(c.var.csrf, message)), status as 200);
  const image = form.image;
  if (!(image instanceof File) || image.size === 0) return fail("Choose an image to upload.", 400);
  if (image.size > c.var.settings.maxUploadBytes) return fail(`The image is larger than ${c.var.settings.maxUploadBytes} bytes.`, 413);
  const metadata = parseMetadata(typeof form.metadata === "string" ? form.metadata.trim() : undefined);
  if (!metadata.ok) return fail(metadata.reason, 400);
  try {
    const bytes = new Uint8Array(await image.arrayBuffer());
    const { record } = await createTask(
      c.env,
      c.var.settings,
      { clientId: "console", bytes, callbackUrl: null, metadata: metadata.metadata, idempotencyKey: null },
      new Date(),
    );
    return c.redirect(`/console/tasks/${record.task.taskId}`, 303);
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return fail(error.message, error.status);
    throw error;
  }
});
