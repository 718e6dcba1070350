// Starts the embedded tagger service once, in Node, for the workerd tests: the Worker calls it as it would locally.
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { lineMatching, startProcess } from "../../../scripts/lib/start-process.ts";

declare module "vitest" {
  interface ProvidedContext {
    taggerUrl: string;
  }
}

const READY_TIMEOUT_MS = 120_000;
const STOP_MS = 10_000;

export default async function setup(project: TestProject) {
  const tagger = startProcess({
    what: "the embedded tagger",
    args: [resolve(import.meta.dirname, "../../local-tagger/server.ts")],
    env: { PORT: "0" },
    ready: lineMatching(/listening on (http:\/\/\S+)/),
    readyTimeoutMs: READY_TIMEOUT_MS,
    stopTimeoutMs: STOP_MS,
    // Its warnings and errors belong in the test run's output; its request log does not.
    echo: (stream) => stream === "stderr",
  });
  project.provide("taggerUrl", await tagger.ready);
  return () => tagger.stop();
}
