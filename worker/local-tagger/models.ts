// The real models, loaded once from files inside npm packages: Human's COCO-80 object detector (CenterNet) and
// its face detector (BlazeFace, checked by FaceMesh), on the tfjs WebAssembly backend.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Config, Human } from "@vladmandic/human";
import type { io } from "@tensorflow/tfjs-core";
import type { Raster } from "./decode.ts";

/** CenterNet's input is a 512x512 square; letterboxing to it keeps shapes undistorted (a stretched cat reads as a dog). */
export const MODEL_INPUT_SIZE = 512;
export const MODEL_NAMES = ["coco-centernet", "blazeface", "facemesh"] as const;
const HUMAN_MODELS = ["centernet", "blazeface", "facemesh"]; // the same three, as Human names them

export type Detections = {
  objects: { label: string; score: number }[];
  /** box: how sure BlazeFace is there is a face there; mesh: how sure FaceMesh is the crop holds a face. */
  faces: { box: number; mesh: number }[];
};

export type Detector = { detect(image: Raster): Promise<Detections> };

export type DetectorOptions = {
  /** Nothing below this score comes back from the models; the thresholds in detection-tags.ts sit above it. */
  floor?: number;
};

const require = createRequire(import.meta.url);

/** Loads the models (about 0.3 s, no network) and runs one warm-up detection so the first request is not slow. */
export async function loadDetector({ floor = 0.2 }: DetectorOptions = {}): Promise<Detector> {
  // Human's exports map only offers the tfjs-node build, which cannot install here: load the wasm build by path.
  const humanDir = dirname(dirname(require.resolve("@vladmandic/human")));
  const { Human } = require(join(humanDir, "dist/human.node-wasm.js")) as typeof import("@vladmandic/human");
  const human = new Human(config(humanDir, floor));
  registerFileLoader(human.tf.io as typeof io);
  await human.load();
  await human.tf.ready();
  // Human logs a model that fails to load and carries on; a tagger without its models must not start.
  const loaded = new Set(
    human.models
      .stats()
      .modelStats.filter((model) => model.loaded)
      .map((model) => model.name),
  );
  const missing = HUMAN_MODELS.filter((name) => !loaded.has(name));
  if (missing.length > 0) throw new Error(`models failed to load: ${missing.join(", ")} (from ${humanDir}/models)`);
  const detector: Detector = { detect: (image) => detect(human, image) };
  await detector.detect({
    data: new Uint8Array(MODEL_INPUT_SIZE * MODEL_INPUT_SIZE * 3),
    width: MODEL_INPUT_SIZE,
    height: MODEL_INPUT_SIZE,
  });
  return detector;
}

async function detect(human: Human, image: Raster): Promise<Detections> {
  const input = human.tf.tensor4d(image.data, [1, image.height, image.width, 3], "int32");
  try {
    const result = await human.detect(input);
    if (result.error) throw new Error(`the models failed: ${result.error}`);
    return {
      objects: result.object.map((found) => ({ label: found.label, score: found.score })),
      faces: result.face.map((found) => ({ box: found.boxScore, mesh: found.faceScore })),
    };
  } finally {
    human.tf.dispose(input);
  }
}

function config(humanDir: string, floor: number): Partial<Config> {
  const off = { enabled: false };
  return {
    backend: "wasm",
    // Both the .wasm binaries and the model weights ship in node_modules: nothing is fetched.
    wasmPath: `${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`,
    modelBasePath: pathToFileURL(join(humanDir, "models/")).href,
    debug: false,
    async: false,
    warmup: "none",
    // Human is built for video: it reuses results for frames that look alike. Each upload is a new photo.
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    gesture: off,
    body: off,
    hand: off,
    segmentation: off,
    object: { enabled: true, minConfidence: floor, maxDetected: 50, iouThreshold: 0.4, skipFrames: 0, skipTime: 0 },
    face: {
      enabled: true,
      // keepInvalid: a box FaceMesh rejects still comes back (with its mesh score) so object-tags.ts decides.
      detector: { minConfidence: floor, maxDetected: 32, rotation: false, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: true, keepInvalid: true },
      iris: off,
      emotion: off,
      description: off,
      attention: off,
      antispoof: off,
      liveness: off,
    },
  };
}

/**
 * tfjs in Node loads models over fetch, which has no file:// scheme; tfjs-node's file handler is not installable
 * here. This router answers file:// model URLs from disk, the way tf.io's own handlers build artifacts.
 */
function registerFileLoader(tfio: typeof io) {
  const router = (url: string | string[]): io.IOHandler | null => {
    if (typeof url !== "string" || !url.startsWith("file://")) return null; // not ours: let the next router try
    const modelPath = fileURLToPath(url);
    return {
      load: async () => {
        const modelJson = JSON.parse(await readFile(modelPath, "utf8")) as io.ModelJSON;
        return tfio.getModelArtifactsForJSON(modelJson, async (manifest) => {
          const specs = manifest.flatMap((group) => group.weights);
          const files = manifest.flatMap((group) => group.paths.map((path) => readFile(join(dirname(modelPath), path))));
          const buffers = (await Promise.all(files)).map(
            (file) => file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
          );
          return [specs, tfio.concatenateArrayBuffers(buffers)];
        });
      },
    };
  };
  // tf.io's own routers answer null for URLs they do not handle; its IORouter type leaves that out.
  tfio.registerLoadRouter(router as Parameters<typeof tfio.registerLoadRouter>[0]);
}
