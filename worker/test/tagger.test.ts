// The tagger adapter: Workers AI (spied at the binding, since it cannot run locally) and the embedded tagger service.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { captionImage, tagImage, WORKERS_AI_MODEL } from "../src/adapters/tagger.ts";
import { RED_PNG, truncatedPng } from "./support/images.ts";

const workersAi = { tagger: "workers-ai" as const, localTaggerUrl: null };
const embedded = () => ({ tagger: "embedded" as const, localTaggerUrl: inject("taggerUrl") });

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

    const tags = await tagImage(env, workersAi, RED_PNG);

    expect(run).toHaveBeenCalledWith(WORKERS_AI_MODEL, { image: [...RED_PNG] });
    expect(tags).toEqual([
      { label: "egyptian cat", score: 0.63, source: "workers-ai:resnet-50" },
      { label: "tabby", score: 0.21, source: "workers-ai:resnet-50" },
    ]);
  });

  it("refuses output that is not the documented shape, so the step retries instead of storing junk", async () => {
    vi.spyOn(env.AI, "run").mockResolvedValue({ response: "a cat" } as never);
    await expect(tagImage(env, workersAi, RED_PNG)).rejects.toThrow();
  });
});

describe("captionImage", () => {
  it("asks the configured vision model for one line and keeps only that line", async () => {
    const run = vi.spyOn(env.AI, "run").mockResolvedValue({ description: " A red rectangle on nothing.\nMore text." } as never);
    expect(await captionImage(env, "@cf/llava-hf/llava-1.5-7b-hf", RED_PNG)).toBe("A red rectangle on nothing.");
    expect(run).toHaveBeenCalledWith("@cf/llava-hf/llava-1.5-7b-hf", expect.objectContaining({ image: [...RED_PNG], max_tokens: 64 }));
  });
});

describe("tagImage with the embedded tagger", () => {
  it("asks the local service, never Workers AI, and returns its tags", async () => {
    const run = vi.spyOn(env.AI, "run");
    const tags = await tagImage(env, embedded(), RED_PNG);
    expect(run).not.toHaveBeenCalled();
    expect(tags).toEqual(expect.arrayContaining([expect.objectContaining({ label: "red", source: "colour" })]));
  });

  it("gives up at once, without retries, on an image the service cannot decode", async () => {
    await expect(tagImage(env, embedded(), truncatedPng())).rejects.toMatchObject({
      name: "NonRetryableError",
      message: expect.stringMatching(/^embedded tagger refused the image: undecodable_image: /),
    });
  });

  it.each([
    [503, { error: { code: "busy", message: "16 images are already waiting; try again shortly" } }],
    [429, null],
    [408, null],
    [500, null],
    [404, { error: { code: "not_found", message: "no route for POST /tag" } }],
  ])("throws a retryable error when the service answers %i: the tagger is busy, slow or down, not the image", async (status, body) => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json(body, { status }));
    const failure = await tagImage(env, embedded(), RED_PNG).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toMatchObject({ name: "NonRetryableError" });
    expect((failure as Error).message).toMatch(new RegExp(`^embedded tagger failed: ${body ? body.error.code : `HTTP ${status}`}`));
  });

  it("throws a retryable error when nothing answers at that address", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("Network connection lost."));
    await expect(tagImage(env, embedded(), RED_PNG)).rejects.not.toMatchObject({ name: "NonRetryableError" });
  });

  it.each([400, 413, 415])("gives up at once when the service answers %i about the bytes", async (status) => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ error: { code: "refused", message: "no" } }, { status }));
    await expect(tagImage(env, embedded(), RED_PNG)).rejects.toMatchObject({
      name: "NonRetryableError",
      message: "embedded tagger refused the image: refused: no",
    });
  });
});
