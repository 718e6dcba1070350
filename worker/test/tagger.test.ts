// The tagger adapter: Workers AI (spied at the binding, since it cannot run locally) and the embedded path.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tagImage, WORKERS_AI_MODEL } from "../src/adapters/tagger.ts";
import { RED_PNG } from "./support/images.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("tagImage with Workers AI", () => {
  it("sends the image bytes to resnet-50 and keeps confident labels, best first", async () => {
    // The documented @cf/microsoft/resnet-50 output: an array of { label, score }.
    const run = vi.spyOn(env.AI, "run").mockResolvedValue([
      { label: "TABBY", score: 0.21 },
      { label: "EGYPTIAN CAT", score: 0.63 },
      { label: "TIGER CAT", score: 0.03 },
    ] as never);

    const tags = await tagImage(env.AI, "workers-ai", RED_PNG);

    expect(run).toHaveBeenCalledWith(WORKERS_AI_MODEL, { image: [...RED_PNG] });
    expect(tags).toEqual([
      { label: "egyptian cat", score: 0.63, source: "workers-ai:resnet-50" },
      { label: "tabby", score: 0.21, source: "workers-ai:resnet-50" },
    ]);
  });

  it("refuses output that is not the documented shape, so the step retries instead of storing junk", async () => {
    vi.spyOn(env.AI, "run").mockResolvedValue({ response: "a cat" } as never);
    await expect(tagImage(env.AI, "workers-ai", RED_PNG)).rejects.toThrow();
  });
});

describe("tagImage with the embedded tagger", () => {
  it("reads the image itself and never calls Workers AI", async () => {
    const run = vi.spyOn(env.AI, "run");
    const tags = await tagImage(env.AI, "embedded", RED_PNG);
    expect(run).not.toHaveBeenCalled();
    expect(tags.map((tag) => tag.label)).toEqual(expect.arrayContaining(["red", "png", "landscape"]));
  });
});
