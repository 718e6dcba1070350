// The pre-screen run right after upload: facts from the pixels and near-duplicates among earlier uploads.
import { readImageBytes } from "../adapters/image-store.ts";
import { indexPerceptualHash, perceptualHashCandidates } from "../adapters/task-store.ts";
import { analyzeImage, type ImageAnalysis, shapeFacts } from "../domain/image-analysis.ts";
import { hammingDistance, NEAR_DUPLICATE_DISTANCE } from "../domain/perceptual-hash.ts";
import { MAX_NEAR_DUPLICATES, type NearDuplicate, type Prescreen } from "../domain/prescreen.ts";
import type { ImageFacts } from "../domain/task.ts";

export async function prescreenTask(env: Env, taskId: string, image: ImageFacts): Promise<Prescreen> {
  const bytes = await readImageBytes(env.IMAGES, taskId);
  let analysis: ImageAnalysis;
  try {
    analysis = analyzeImage(bytes);
  } catch (error) {
    // An image the Worker cannot decode (too large for its memory, say) is still reviewed, with what its header tells.
    return {
      facts: shapeFacts(image.contentType, image.width, image.height),
      perceptualHash: null,
      nearDuplicates: [],
      unreadable: error instanceof Error ? error.message : String(error),
    };
  }
  const candidates = await perceptualHashCandidates(env.TASKS, analysis.perceptualHash);
  await indexPerceptualHash(env.TASKS, taskId, analysis.perceptualHash);
  return {
    facts: analysis.tags,
    perceptualHash: analysis.perceptualHash,
    nearDuplicates: closest(candidates, analysis.perceptualHash, taskId),
    unreadable: null,
  };
}

function closest(candidates: Map<string, string>, hash: string, self: string): NearDuplicate[] {
  return [...candidates]
    .filter(([taskId]) => taskId !== self)
    .map(([taskId, other]) => ({ taskId, distance: hammingDistance(hash, other) }))
    .filter((candidate) => candidate.distance <= NEAR_DUPLICATE_DISTANCE)
    .sort((a, b) => a.distance - b.distance || a.taskId.localeCompare(b.taskId))
    .slice(0, MAX_NEAR_DUPLICATES);
}
