// Duration settings such as REVIEW_TIMEOUT and CLAIM_LEASE.
import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/domain/duration.ts";

describe("parseDuration", () => {
  it.each([
    ["24 hours", 86_400_000],
    ["5 minutes", 300_000],
    ["1 second", 1000],
    ["90 seconds", 90_000],
    ["2 days", 172_800_000],
    ["1.5 hours", 5_400_000],
  ])("reads %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "24", "soon", "-5 minutes", "0 seconds", "5 fortnights"])("refuses %j", (text) => {
    expect(() => parseDuration(text)).toThrow();
  });
});
