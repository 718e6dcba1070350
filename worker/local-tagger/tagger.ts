// The local tagger: decode, run the models, add the facts. Same answer shape as Workers AI, plus source and count.
import { decodeImage } from "./decode.ts";
import { detectionTags } from "./detection-tags.ts";
import { factTags } from "./facts.ts";
import { loadDetector, MODEL_INPUT_SIZE, MODEL_NAMES } from "./models.ts";
import type { Tag } from "../src/domain/tag.ts";

export type Tagger = {
  models: readonly string[];
  /** Tags best first: what the models saw by score, then the facts. Throws a TaggerError (422) for a broken image. */
  tag(bytes: Uint8Array): Promise<Tag[]>;
};

export async function createTagger(): Promise<Tagger> {
  const detector = await loadDetector();
  return {
    models: MODEL_NAMES,
    async tag(bytes) {
      const image = await decodeImage(bytes, MODEL_INPUT_SIZE);
      const seen = detectionTags(await detector.detect(image.modelInput)).sort((a, b) => b.score - a.score);
      return [...seen, ...factTags(image)];
    },
  };
}
