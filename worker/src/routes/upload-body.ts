// Reading an upload body, multipart or raw, into checked bytes and fields.
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { checkCallbackUrl } from "../domain/callback-url.ts";
import { SUPPORTED_CONTENT_TYPES } from "../domain/image-probe.ts";
import { parseMetadata } from "../domain/upload.ts";
import { AppError, invalidRequest } from "../errors.ts";
import { payloadTooLarge } from "../middleware/upload-limit.ts";
import type { Upload } from "../services/create-task.ts";

const binary = { schema: { type: "string" as const, format: "binary" } };

/** The OpenAPI description of the body; it is read by hand below, so the document never drifts into validation. */
export const UPLOAD_BODY = {
  required: true,
  content: {
    "multipart/form-data": {
      schema: {
        type: "object" as const,
        required: ["image"],
        properties: {
          image: { type: "string" as const, format: "binary", description: "PNG, JPEG, GIF or WebP, judged by its bytes." },
          callbackUrl: { type: "string" as const, format: "uri" },
          metadata: { type: "string" as const, description: "A JSON object, at most 8 KiB." },
        },
      },
    },
    ...Object.fromEntries(SUPPORTED_CONTENT_TYPES.map((type) => [type, binary])),
  },
};

const unsupported = () =>
  new AppError(
    415,
    "unsupported_media_type",
    "Send multipart/form-data with an image field, or a raw image/png, image/jpeg, image/gif or image/webp body.",
  );

export async function readUpload(c: Context<AppEnv>): Promise<Upload> {
  if (!c.req.raw.body || c.req.header("content-length") === "0") throw invalidRequest("The body is empty.");
  const contentType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const fields = contentType === "multipart/form-data" ? await readMultipart(c) : await readRaw(c, contentType);

  if (fields.bytes.byteLength === 0) throw invalidRequest("The image is empty.");
  if (fields.bytes.byteLength > c.var.settings.maxUploadBytes) throw payloadTooLarge(c.var.settings.maxUploadBytes);

  const metadata = parseMetadata(fields.metadata);
  if (!metadata.ok) throw invalidRequest(metadata.reason);

  let callbackUrl: string | null = null;
  if (fields.callbackUrl) {
    const check = checkCallbackUrl(fields.callbackUrl, { allowLoopback: c.var.settings.allowLoopbackCallbacks });
    if (!check.ok) throw new AppError(422, "invalid_callback_url", check.reason);
    callbackUrl = check.url.toString();
  }

  return {
    clientId: c.var.clientId,
    bytes: fields.bytes,
    callbackUrl,
    metadata: metadata.metadata,
    idempotencyKey: c.req.header("idempotency-key") ?? null,
  };
}

type RawFields = { bytes: Uint8Array; callbackUrl: string | undefined; metadata: string | undefined };

async function readRaw(c: Context<AppEnv>, contentType: string): Promise<RawFields> {
  if (!(SUPPORTED_CONTENT_TYPES as readonly string[]).includes(contentType)) throw unsupported();
  return { bytes: new Uint8Array(await c.req.arrayBuffer()), callbackUrl: c.req.query("callbackUrl"), metadata: undefined };
}

async function readMultipart(c: Context<AppEnv>): Promise<RawFields> {
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw invalidRequest("The multipart body could not be parsed.");
  }
  const image = form.get("image");
  if (!(image instanceof File)) throw invalidRequest("The multipart body needs a file field named image.");
  const callbackUrl = form.get("callbackUrl");
  const metadata = form.get("metadata");
  if ((callbackUrl !== null && typeof callbackUrl !== "string") || (metadata !== null && typeof metadata !== "string")) {
    throw invalidRequest("callbackUrl and metadata must be text fields.");
  }
  return {
    bytes: new Uint8Array(await image.arrayBuffer()),
    callbackUrl: callbackUrl ?? c.req.query("callbackUrl"),
    metadata: metadata ?? undefined,
  };
}
