// What every browser suite of the console shares: its own local stack, a headless Chromium, and signing in.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { ROOT, setting } from "../../scripts/lib/dev-vars.ts";
import { type Stack, startStack, stopAllStacks } from "../../scripts/lib/stack.ts";
import { browserRequired, findChromium } from "./find-chromium.ts";

const found = findChromium();
if ("missing" in found) {
  if (browserRequired()) throw new Error(`GREENLIGHT_REQUIRE_BROWSER=1, but ${found.missing}`);
  console.warn(`Skipping the browser suite: ${found.missing}.`);
}
export const CHROMIUM = "path" in found ? found.path : undefined;
export const FIXTURES = join(ROOT, "worker/local-tagger/fixtures");
export const SHOTS = join(ROOT, "test-results");
export const reviewerToken = setting("REVIEWER_TOKEN");

export type Console = { stack: Stack; browser: Browser; context: BrowserContext; stateDir: string };

/** A fresh stack (its own state directory) and a browser context signed in as `name`. */
export async function openConsole(name: string): Promise<Console> {
  mkdirSync(SHOTS, { recursive: true });
  const stateDir = mkdtempSync(join(tmpdir(), "greenlight-browser-"));
  const stack = await startStack(stateDir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await signIn(stack, context, name);
  return { stack, browser, context, stateDir };
}

export async function closeConsole(opened: Partial<Console>): Promise<void> {
  await opened.browser?.close();
  await stopAllStacks();
  if (opened.stateDir) rmSync(opened.stateDir, { recursive: true, force: true });
}

export async function signIn(stack: Stack, target: BrowserContext, name: string): Promise<void> {
  const page = await target.newPage();
  await page.goto(`${stack.baseUrl}/console/sign-in`);
  await page.getByLabel("Reviewer token").fill(reviewerToken);
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${stack.baseUrl}/console`);
  await page.close();
}
