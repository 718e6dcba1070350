// The one tagger: Workers AI in production, the embedded analyser where Workers AI cannot run (local, CI).
import { z } from "zod";
import { analyzeImage } from "../domain/image-analysis.ts";
import type { Tag } from "../domain/task.ts";

export const WORKERS_AI_MODEL = "@cf/microsoft/resnet-50";
const WORKERS_AI_SOURCE = "workers-ai:resnet-50";
// resnet-50 spreads probability over 1,000 ImageNet classes; below this a label is noise.
const MIN_SCORE = 0.05;

const ResNetOutputSchema = z.array(z.object({ label: z.string(), score: z.number().min(0).max(1) }));

export type TaggerKind = "workers-ai" | "embedded";

export async function tagImage(ai: Ai, kind: TaggerKind, bytes: Uint8Array): Promise<Tag[]> {
  if (kind === "embedded") return analyzeImage(bytes);
  const output = ResNetOutputSchema.parse(await ai.run(WORKERS_AI_MODEL, { image: [...bytes] }));
  return output
    .filter((entry) => entry.score >= MIN_SCORE)
    .sort((a, b) => b.score - a.score)
    .map((entry) => ({ label: entry.label.toLowerCase(), score: entry.score, source: WORKERS_AI_SOURCE }));
}
