// Reading an upload body, multipart or raw, into checked bytes and fields.
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { checkCallbackUrl } from "../domain/callback-url.ts";
import { SUPPORTED_CONTENT_TYPES } from "../domain/image-probe.ts";
import { POLICY_HEADER, type ReviewPolicyInput, ReviewPolicyTextSchema } from "../domain/policy.ts";
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
          policy: {
            type: "string" as const,
            description: "The review policy as a JSON object (ReviewPolicy, any of its fields); raw uploads send the Review-Policy header.",
          },
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
    policy: readPolicy(fields.policy ?? c.req.header(POLICY_HEADER)),
  };
}

function readPolicy(text: string | undefined): ReviewPolicyInput | undefined {
  if (text === undefined || text === "") return undefined;
  const parsed = ReviewPolicyTextSchema.safeParse(text);
  if (parsed.success) return parsed.data;
  throw invalidRequest(
    "policy must be a JSON object with any of approvalsRequired (1 to 5), onDeadline (expire or reject), excludedReviewers (reviewer ids), remindAfter (up to 3 increasing durations) and escalateAfter with escalateTo.",
    { issues: parsed.error.issues.map((issue) => ({ path: ["policy", ...issue.path].join("."), message: issue.message })) },
  );
}

type RawFields = { bytes: Uint8Array; callbackUrl: string | undefined; metadata: string | undefined; policy?: string | undefined };

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
  const text = (name: string): string | undefined => {
    const value = form.get(name);
    if (value !== null && typeof value !== "string") throw invalidRequest("callbackUrl, metadata and policy must be text fields.");
    return value ?? undefined;
  };
  return {
    bytes: new Uint8Array(await image.arrayBuffer()),
    callbackUrl: text("callbackUrl") ?? c.req.query("callbackUrl"),
    metadata: text("metadata"),
    policy: text("policy"),
  };
}
