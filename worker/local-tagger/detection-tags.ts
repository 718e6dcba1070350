// Turns raw detections into tags: the thresholds measured for these models, one tag per label with a count.
import type { Detections } from "./models.ts";
import type { Tag } from "../src/domain/tag.ts";

// Measured with `node scripts/bench-tagger.ts --scores <dir>` on 23 images: the originals of the 7 fixtures (see
// fixtures/README.md); 5 more public-domain photos and prints (a biplane from above, a canyon with a boat, a
// farmhouse, Muybridge's walking cat, a rocket launch); 7 scientific images and textures (retina, Moon, coins,
// Hubble, brick, grass, gravel); 4 crowded images with many people and faces from @vladmandic/human's assets
// (measured only, not shipped). Scores are CenterNet's, in steps of 0.01; boxes are not used.
// - True objects that were found scored 0.36 to 0.73: cat 0.52, cup 0.55, sheep 0.73, boat 0.41, person 0.36 to 0.65.
// - Noise on photos stayed at or below 0.32 (a "person" in canyon rocks and in a flock of sheep, "cell phone" 0.26,
//   "car" 0.21 on an empty lawn), so 0.35 keeps every true object found and drops the noise.
// - Misses, at any threshold: the biplane seen from above (never "airplane" above 0.12), the canyon's tiny boat (0.26),
//   Muybridge's cat in 24 small frames ("bird" 0.31, never "cat").
export const OBJECT_THRESHOLD = 0.35;
// Round things on non-photos scored above true objects: "umbrella" 0.55 on a retina scan, "kite" 0.40 on the Moon,
// "clock" 0.39 on coins. These labels must beat their noise; a real one scoring less is lost, a fair trade.
export const LABEL_THRESHOLDS: Readonly<Record<string, number>> = { umbrella: 0.6, kite: 0.45, clock: 0.45 };
// Once a label has passed, its weaker boxes count too, down to this score. Photos of one person had a second "person"
// box at up to 0.19; the flock (about 15 sheep visible) has 6 sheep above 0.35 and 11 at 0.25 or more.
export const COUNT_THRESHOLD = 0.25;
// A face needs both checks. BlazeFace alone scored 0.76 on a cat and 0.61 on a coffee cup; FaceMesh alone scored
// 0.84 on a biplane's roundel (box 0.29). Faces both agreed on scored box 0.58 to 0.92 with mesh 0.99 or 1; of all
// boxes at 0.45 or more, mesh scores were either 0.35 or less or 0.99 or more, so 0.5 is not a close call. Small
// faces in crowds (box 0.2 to 0.3, mesh 1) are not counted: a screenshot of dozens of face thumbnails counts 23.
export const FACE_BOX_THRESHOLD = 0.45;
export const FACE_MESH_THRESHOLD = 0.5;

/** Object tags (source "coco") and a "face" tag (source "faces"), each with its best score and how many were seen. */
export function detectionTags({ objects, faces }: Detections): Tag[] {
  const byLabel = Map.groupBy(objects, (object) => object.label);
  const tags: Tag[] = [];
  for (const [label, found] of byLabel) {
    const best = Math.max(...found.map((object) => object.score));
    if (best < (LABEL_THRESHOLDS[label] ?? OBJECT_THRESHOLD)) continue;
    const count = found.filter((object) => object.score >= COUNT_THRESHOLD).length;
    tags.push({ label, score: best, source: "coco", ...(count > 1 ? { count } : {}) });
  }
  const real = faces.filter((face) => face.box >= FACE_BOX_THRESHOLD && face.mesh >= FACE_MESH_THRESHOLD);
  if (real.length > 0) {
    const best = Math.max(...real.map((face) => Math.min(face.box, face.mesh)));
    tags.push({ label: "face", score: best, source: "faces", count: real.length });
  }
  return tags;
}
