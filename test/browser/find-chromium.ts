// Finds a Chromium or Chrome for the browser suite: CHROMIUM_PATH, then the usual names on PATH and install places,
// then playwright-core's own download. A machine with none skips the suite, unless GREENLIGHT_REQUIRE_BROWSER=1 (CI).
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { chromium } from "playwright-core";

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
const PLACES: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: [...NAMES.map((name) => `/usr/bin/${name}`), "/snap/bin/chromium"],
  darwin: ["/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"],
};

export const HOW_TO_RUN = "install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary";

export type BrowserSearch = {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Where playwright-core keeps the Chromium `npx playwright-core install chromium` downloads, installed or not. */
  playwrightChromium: () => string;
};

export type BrowserFound = { path: string } | { missing: string };

/** Every place looked at, in order; CHROMIUM_PATH, when set, is the only one. */
export function chromiumCandidates({ env, platform, playwrightChromium }: BrowserSearch): string[] {
  if (env.CHROMIUM_PATH) return [env.CHROMIUM_PATH];
  const onPath = (env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .flatMap((dir) => NAMES.map((name) => join(dir, name)));
  let bundled: string[] = [];
  try {
    bundled = [playwrightChromium()];
  } catch {
    // playwright-core has no build for this platform
  }
  return [...new Set([...onPath, ...(PLACES[platform] ?? []), ...bundled])];
}

export function findChromium(
  search: BrowserSearch = { env: process.env, platform: process.platform, playwrightChromium: () => chromium.executablePath() },
): BrowserFound {
  const candidates = chromiumCandidates(search);
  const path = candidates.find(isExecutableFile);
  if (path) return { path };
  const where = search.env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${search.env.CHROMIUM_PATH} is not an executable file`
    : "no Chromium or Chrome found";
  return { missing: `${where}; to run it, ${HOW_TO_RUN}` };
}

/** GREENLIGHT_REQUIRE_BROWSER=1 (set by CI) turns a missing browser into a failure instead of a skip. */
export const browserRequired = (env: NodeJS.ProcessEnv = process.env) => env.GREENLIGHT_REQUIRE_BROWSER === "1";

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
