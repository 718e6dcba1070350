// The one tagger: Workers AI in production, the embedded tagger service where Workers AI cannot run (local, CI).
import { NonRetryableError } from "cloudflare:workflows";
import { z } from "zod";
import type { Settings } from "../config.ts";
import { type Tag, TagSchema } from "../domain/tag.ts";

export const WORKERS_AI_MODEL = "@cf/microsoft/resnet-50";
// What a receipt names when the embedded tagger, which stands in for Workers AI only locally and in CI, made the tags.
const EMBEDDED_TAGGER_MODEL = "embedded-tagger";
const WORKERS_AI_SOURCE = "workers-ai:resnet-50";
/** The model that tags under these settings, as receipts name it. */
export const taggerModel = (tagger: Settings["tagger"]): string => (tagger === "workers-ai" ? WORKERS_AI_MODEL : EMBEDDED_TAGGER_MODEL);

// resnet-50 spreads probability over 1,000 ImageNet classes; below this a label is noise.
const MIN_SCORE = 0.05;
const CAPTION_PROMPT = "Describe this image in one short sentence.";
const CAPTION_MAX_LENGTH = 200;
// The embedded tagger runs its models one image at a time; a queue of a few images must still fit.
const LOCAL_TAGGER_TIMEOUT_MS = 60_000;
// What the embedded tagger answers about the bytes themselves (malformed, too large, not an image, undecodable): these
// will never tag, so retrying only delays `failed`. Anything else (busy, timed out, down, misrouted) may pass later.
const IMAGE_REFUSED = new Set([400, 413, 415, 422]);

const ResNetOutputSchema = z.array(z.object({ label: z.string(), score: z.number().min(0).max(1) }));
const CaptionOutputSchema = z.object({ description: z.string() });
const LocalTaggerErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

type TaggerSettings = Pick<Settings, "tagger" | "localTaggerUrl">;

/** Tags, best first. Bytes that can never be tagged throw NonRetryableError; anything else may pass on a retry. */
export async function tagImage(env: Pick<Env, "AI">, settings: TaggerSettings, bytes: Uint8Array): Promise<Tag[]> {
  if (settings.tagger === "embedded") return tagLocally(settings.localTaggerUrl ?? "", bytes);
  const output = ResNetOutputSchema.parse(await env.AI.run(WORKERS_AI_MODEL, { image: [...bytes] }));
  return output
    .filter((entry) => entry.score >= MIN_SCORE)
    .sort((a, b) => b.score - a.score)
    .map((entry) => ({ label: entry.label.toLowerCase(), score: entry.score, source: WORKERS_AI_SOURCE }));
}

/** A one-line caption from a Workers AI vision model (only where Workers AI runs). */
export async function captionImage(env: Pick<Env, "AI">, model: string, bytes: Uint8Array): Promise<string> {
  const output = CaptionOutputSchema.parse(
    await env.AI.run(model as "@cf/llava-hf/llava-1.5-7b-hf", { image: [...bytes], prompt: CAPTION_PROMPT, max_tokens: 64 }),
  );
  return output.description.trim().split("\n")[0]!.slice(0, CAPTION_MAX_LENGTH);
}

// The embedded tagger speaks Workers AI's contract (image bytes in, [{label, score}] out) plus a source per tag.
async function tagLocally(baseUrl: string, bytes: Uint8Array): Promise<Tag[]> {
  const response = await fetch(new URL("/tag", baseUrl), {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: bytes,
    signal: AbortSignal.timeout(LOCAL_TAGGER_TIMEOUT_MS),
  });
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return z.array(TagSchema).parse(body);
  const error = LocalTaggerErrorSchema.safeParse(body);
  const reason = error.success ? `${error.data.error.code}: ${error.data.error.message}` : `HTTP ${response.status}`;
  if (IMAGE_REFUSED.has(response.status)) throw new NonRetryableError(`embedded tagger refused the image: ${reason}`);
  throw new Error(`embedded tagger failed: ${reason}`);
}
