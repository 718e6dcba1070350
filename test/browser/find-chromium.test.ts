// Where the browser suite looks for Chromium, against fake binaries in a temporary folder.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BrowserSearch, browserRequired, chromiumCandidates, findChromium, HOW_TO_RUN } from "./find-chromium.ts";

const root = mkdtempSync(join(tmpdir(), "greenlight-find-chromium-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A file at `path` under the temporary folder, executable unless told otherwise. */
function fakeBinary(path: string, mode = 0o755): string {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "#!/bin/sh\n");
  chmodSync(file, mode);
  return file;
}

// A platform with no install places of its own, so nothing on this machine is found by accident.
const search = (env: NodeJS.ProcessEnv, playwrightChromium = () => join(root, "no-playwright/chrome")): BrowserSearch => ({
  env,
  platform: "aix",
  playwrightChromium,
});

describe("findChromium", () => {
  it("takes CHROMIUM_PATH when it names an executable file", () => {
    const chrome = fakeBinary("custom/chrome");
    const onPath = fakeBinary("bin-a/chromium");
    expect(findChromium(search({ CHROMIUM_PATH: chrome, PATH: dirname(onPath) }))).toEqual({ path: chrome });
  });

  it("does not look elsewhere when CHROMIUM_PATH names nothing, and says so", () => {
    const onPath = fakeBinary("bin-b/chromium");
    const bogus = join(root, "nowhere/chromium");
    expect(findChromium(search({ CHROMIUM_PATH: bogus, PATH: dirname(onPath) }))).toEqual({
      missing: `CHROMIUM_PATH=${bogus} is not an executable file; to run it, ${HOW_TO_RUN}`,
    });
  });

  it("treats an empty CHROMIUM_PATH as unset", () => {
    const onPath = fakeBinary("bin-c/chromium");
    expect(findChromium(search({ CHROMIUM_PATH: "", PATH: dirname(onPath) }))).toEqual({ path: onPath });
  });

  it("takes the first usual name on PATH, in PATH's order, passing over files it cannot run and folders", () => {
    fakeBinary("bin-d/chromium", 0o644);
    mkdirSync(join(root, "bin-e/chromium"), { recursive: true });
    const chrome = fakeBinary("bin-f/google-chrome-stable");
    fakeBinary("bin-g/chromium");
    const PATH = ["bin-d", "bin-e", "bin-f", "bin-g"].map((dir) => join(root, dir)).join(":");
    expect(findChromium(search({ PATH }))).toEqual({ path: chrome });
  });

  it("falls back to playwright-core's own Chromium once it is installed", () => {
    const bundled = fakeBinary("ms-playwright/chromium-1/chrome");
    expect(findChromium(search({ PATH: "" }, () => bundled))).toEqual({ path: bundled });
  });

  it("says how to run the suite when there is no browser at all", () => {
    const none = search({ PATH: join(root, "empty") }, () => {
      throw new Error("unsupported platform");
    });
    expect(findChromium(none)).toEqual({ missing: `no Chromium or Chrome found; to run it, ${HOW_TO_RUN}` });
  });

  it("looks in the usual install places of Linux and macOS after PATH", () => {
    const candidates = (platform: NodeJS.Platform) =>
      chromiumCandidates({ env: { PATH: "/opt/x" }, platform, playwrightChromium: () => "/pw/chrome" });
    expect(candidates("linux")).toEqual([
      "/opt/x/chromium",
      "/opt/x/chromium-browser",
      "/opt/x/google-chrome",
      "/opt/x/google-chrome-stable",
      "/usr/bin/chromium",
      "/usr/bin/chromium-browser",
      "/usr/bin/google-chrome",
      "/usr/bin/google-chrome-stable",
      "/snap/bin/chromium",
      "/pw/chrome",
    ]);
    expect(candidates("darwin").slice(4)).toEqual([
      "/Applications/Chromium.app/Contents/MacOS/Chromium",
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
      "/pw/chrome",
    ]);
  });
});

describe("browserRequired", () => {
  it("is on only with GREENLIGHT_REQUIRE_BROWSER=1", () => {
    expect(browserRequired({ GREENLIGHT_REQUIRE_BROWSER: "1" })).toBe(true);
    expect(browserRequired({})).toBe(false);
    expect(browserRequired({ GREENLIGHT_REQUIRE_BROWSER: "0" })).toBe(false);
  });
});
