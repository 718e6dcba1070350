// dHash and its banding: the same picture at another size hashes alike; different pictures do not.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { probeImage } from "../../src/domain/image-probe.ts";
import { BAND_COUNT, hammingDistance, hashBands } from "../../src/domain/perceptual-hash.ts";
import { readImage } from "../../src/services/prescreen.ts";
import { patternPng } from "../support/images.ts";

/** The hash of the thumbnail the Images binding makes, as the pre-screen computes it. */
async function hashOf(bytes: Uint8Array): Promise<string> {
  const reading = await readImage(env, bytes, probeImage(bytes)!);
  if (!reading.ok) throw new Error(reading.reason);
  return reading.analysis.perceptualHash;
}

describe("perceptual hashes", () => {
  it("are 16 hex characters, the same for the same pixels", async () => {
    const hash = await hashOf(patternPng(64, 48, 1));
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(await hashOf(patternPng(64, 48, 1))).toBe(hash);
  });

  it("barely change when the picture is resized", async () => {
    expect(hammingDistance(await hashOf(patternPng(64, 48, 1)), await hashOf(patternPng(400, 300, 1)))).toBeLessThanOrEqual(2);
  });

  it("differ widely between different pictures", async () => {
    const hashes = await Promise.all([1, 2, 3, 4].map((seed) => hashOf(patternPng(64, 48, seed))));
    for (const [index, a] of hashes.entries()) {
      for (const b of hashes.slice(index + 1)) expect(hammingDistance(a, b)).toBeGreaterThan(10);
    }
  });

  it("count differing bits", () => {
    expect(hammingDistance("0000000000000000", "0000000000000000")).toBe(0);
    expect(hammingDistance("0000000000000000", "ffffffffffffffff")).toBe(64);
    expect(hammingDistance("00000000000000f0", "0000000000000001")).toBe(5);
  });

  it("cut into bands so hashes within 3 bits always share one", () => {
    expect(hashBands("0123456789abcdef")).toEqual(["0123", "4567", "89ab", "cdef"]);
    const a = "0123456789abcdef";
    const b = "0122456689aacdef"; // one bit differs in each of the first three bands
    const shared = hashBands(a).filter((band, index) => band === hashBands(b)[index]);
    expect(hammingDistance(a, b)).toBe(3);
    expect(shared.length).toBeGreaterThanOrEqual(BAND_COUNT - 3);
  });
});
