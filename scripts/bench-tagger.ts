// Usage: node scripts/bench-tagger.ts [--samples 30] [--scores] [dir]   (dir: worker/local-tagger/fixtures)
// Times the local tagger in-process on real photos: model load, per-image p50/p95 (decode, models, facts), peak RSS.
// --scores prints every raw detection above 0.05 instead, to measure where the thresholds in
// worker/local-tagger/detection-tags.ts should sit.
import { readdir, readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { decodeImage } from "../worker/local-tagger/decode.ts";
import { loadDetector, MODEL_INPUT_SIZE } from "../worker/local-tagger/models.ts";
import { createTagger } from "../worker/local-tagger/tagger.ts";

const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".gif", ".webp"]);
const { values, positionals } = parseArgs({
  options: { samples: { type: "string", default: "30" }, scores: { type: "boolean", default: false } },
  allowPositionals: true,
});
const dir = resolve(positionals[0] ?? join(import.meta.dirname, "../worker/local-tagger/fixtures"));
const names = (await readdir(dir)).filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase())).sort();
if (names.length === 0) throw new Error(`no PNG, JPEG, GIF or WebP files in ${dir}`);
const photos = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join(dir, name)) })));

if (values.scores) await printScores();
else await bench(Math.max(1, Math.ceil(Number(values.samples) / photos.length)));

async function bench(rounds: number) {
  const loadStart = performance.now();
  const tagger = await createTagger();
  const loadMs = performance.now() - loadStart;
  const timings = new Map<string, number[]>(photos.map(({ name }) => [name, []]));
  const found = new Map<string, string>();
  for (let round = 0; round < rounds; round++) {
    for (const { name, bytes } of photos) {
      const started = performance.now();
      const tags = await tagger.tag(bytes);
      timings.get(name)?.push(performance.now() - started);
      const seen = tags.filter((tag) => tag.source === "coco" || tag.source === "faces");
      found.set(name, seen.map((tag) => `${tag.label} ${tag.score.toFixed(2)}${tag.count ? ` x${tag.count}` : ""}`).join(", ") || "-");
    }
  }
  const all = [...timings.values()].flat();
  const width = Math.max(...names.map((name) => name.length));
  console.log(`${"photo".padEnd(width)}  ${"KB".padStart(5)}  ${"p50 ms".padStart(6)}  seen (coco, faces)`);
  for (const { name, bytes } of photos) {
    const ms = percentile(timings.get(name) ?? [], 50).toFixed(0);
    console.log(`${name.padEnd(width)}  ${(bytes.byteLength / 1024).toFixed(0).padStart(5)}  ${ms.padStart(6)}  ${found.get(name)}`);
  }
  console.log("");
  console.log(`model load       ${loadMs.toFixed(0)} ms (weights from node_modules, wasm backend, one warm-up run)`);
  console.log(
    `per image        p50 ${percentile(all, 50).toFixed(0)} ms, p95 ${percentile(all, 95).toFixed(0)} ms over ${all.length} samples (${rounds} rounds of ${photos.length} photos)`,
  );
  console.log(`peak RSS         ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

async function printScores() {
  const detector = await loadDetector({ floor: 0.05 });
  for (const { name, bytes } of photos) {
    const image = await decodeImage(bytes, MODEL_INPUT_SIZE);
    const { objects, faces } = await detector.detect(image.modelInput);
    const byLabel = Map.groupBy(objects, (object) => object.label);
    const listed = [...byLabel].map(([label, found]) => `${label} ${found.map((object) => object.score.toFixed(2)).join(" ")}`);
    console.log(`${name}\n  objects  ${listed.join(" | ") || "-"}`);
    console.log(`  faces    ${faces.map((face) => `box ${face.box.toFixed(2)} mesh ${face.mesh.toFixed(2)}`).join(" | ") || "-"}`);
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
