// Starts the embedded tagger service once, in Node, for the workerd tests: the Worker calls it as it would locally.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  interface ProvidedContext {
    taggerUrl: string;
  }
}

const READY_TIMEOUT_MS = 120_000;

export default async function setup(project: TestProject) {
  const server = spawn(process.execPath, [resolve(import.meta.dirname, "../../local-tagger/server.ts")], {
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error("the embedded tagger did not start in time")), READY_TIMEOUT_MS);
    let output = "";
    server.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`the embedded tagger exited with ${code}: ${output}`)));
  });
  project.provide("taggerUrl", url);
  return () => {
    server.kill("SIGTERM");
  };
}
