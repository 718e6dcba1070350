// Keyboard and bulk triage in a real browser: review mode and bulk mode driven from the keyboard alone, undo included.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, setting } from "../../scripts/lib/dev-vars.ts";
import type { Stack } from "../../scripts/lib/stack.ts";
import { CHROMIUM, type Console, closeConsole, FIXTURES, openConsole, reviewerToken, SHOTS } from "./console-stack.ts";

const REVIEWER = "Keyboard Reviewer";
const client = devClient(setting("CLIENT_KEYS"));

let opened: Partial<Console> = {};
let stack: Stack;

beforeAll(async () => {
  if (!CHROMIUM) return;
  opened = await openConsole(REVIEWER);
  stack = opened.stack!;
});

afterAll(() => closeConsole(opened));

const TYPES: Record<string, string> = { jpg: "image/jpeg", gif: "image/gif", webp: "image/webp" };

/** Uploads fixtures through the API, one after another (so the queue has them oldest first), once they are all listed. */
async function queueImages(files: string[]): Promise<string[]> {
  const taskIds: string[] = [];
  for (const file of files) {
    const response = await fetch(`${stack.baseUrl}/v1/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${client.key}`, "content-type": TYPES[file.split(".").pop()!]! },
      body: readFileSync(join(FIXTURES, file)),
    });
    expect(response.status).toBe(202);
    taskIds.push(((await response.json()) as { taskId: string }).taskId);
  }
  await expect
    .poll(
      async () => {
        const listing = await fetch(`${stack.baseUrl}/v1/reviews?limit=100`, { headers: { authorization: `Bearer ${reviewerToken}` } });
        const listed = new Set(((await listing.json()) as { items: { taskId: string }[] }).items.map((item) => item.taskId));
        return taskIds.every((taskId) => listed.has(taskId));
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe(true);
  return taskIds;
}

/** The decision at the task's gate: null while nothing counted. */
async function decisionOf(taskId: string): Promise<{ decision: string; reason: string | null; reviewer: { name: string } } | null> {
  const review = await fetch(`${stack.baseUrl}/v1/reviews/${taskId}`, { headers: { authorization: `Bearer ${reviewerToken}` } });
  return ((await review.json()) as { decision: never }).decision;
}

const announced = (page: Page) => page.locator("#announcer").textContent();
const focusedId = async (page: Page) => String(await page.evaluate("document.activeElement.id"));
const focusedTask = async (page: Page) =>
  String(await page.evaluate("document.activeElement.closest('li[data-task]')?.dataset.task ?? null"));

describe.skipIf(!CHROMIUM)("keyboard triage in Chromium", () => {
  it("clears a queue in review mode from the keyboard: help, next and previous, approve, reject with a new and a recent reason", async () => {
    const [first, second, third, fourth] = await queueImages([
      "cameraman.gif",
      "french-alpine-landscape.jpg",
      "march-pastoral.jpg",
      "coffee.webp",
    ]);
    const page = await opened.context!.newPage();
    await page.goto(`${stack.baseUrl}/console/review`);
    // The oldest task first, its heading focused so a screen reader starts there.
    await page.getByRole("heading", { name: `Review ${first}` }).waitFor();
    expect(await focusedId(page)).toBe("review-heading");
    await page.screenshot({ path: join(SHOTS, "console-review-mode.png"), fullPage: true });

    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard" });
    await help.waitFor();
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });

    await page.keyboard.press("j");
    await page.getByRole("heading", { name: `Review ${second}` }).waitFor();
    await page.keyboard.press("k");
    await page.getByRole("heading", { name: `Review ${first}` }).waitFor();

    await page.keyboard.press("a");
    await page.getByRole("heading", { name: `Review ${second}` }).waitFor();
    await expect.poll(() => announced(page)).toBe(`You approved ${first}.`);

    // A new reason, typed into the dialog's field, sent with Ctrl+Enter.
    await page.keyboard.press("r");
    const reject = page.getByRole("dialog", { name: `Reject ${second}` });
    await reject.waitFor();
    expect(await focusedId(page)).toBe("reason");
    await page.keyboard.type("Blurry");
    await page.keyboard.press("Control+Enter");
    await page.getByRole("heading", { name: `Review ${third}` }).waitFor();
    await expect.poll(() => announced(page)).toBe(`You rejected ${second}.`);

    // The same reason again is one key away.
    await page.keyboard.press("r");
    await page.getByRole("button", { name: "1 · Blurry" }).waitFor();
    await page.keyboard.press("1");
    await page.getByRole("heading", { name: `Review ${fourth}` }).waitFor();

    await page.keyboard.press("a");
    await page.getByText("Nothing is waiting for review.").waitFor();
    await expect.poll(() => announced(page)).toBe(`You approved ${fourth}.`);

    expect(await decisionOf(first!)).toMatchObject({ decision: "approve", reason: null, reviewer: { name: REVIEWER } });
    expect(await decisionOf(second!)).toMatchObject({ decision: "reject", reason: "Blurry", reviewer: { name: REVIEWER } });
    expect(await decisionOf(third!)).toMatchObject({ decision: "reject", reason: "Blurry", reviewer: { name: REVIEWER } });
    expect(await decisionOf(fourth!)).toMatchObject({ decision: "approve", reviewer: { name: REVIEWER } });
    await page.close();
  }, 180_000);

  it("selects from the keyboard, undoes a bulk approval (nothing sent), then approves and rejects after the window", async () => {
    const [first, second, third] = await queueImages(["astronaut.jpg", "nagasaki-boats.jpg", "chelsea-the-cat.jpg"]);
    const page = await opened.context!.newPage();
    await page.goto(`${stack.baseUrl}/console`);
    await page.locator(`li[data-task="${third}"]`).waitFor();
    const count = page.locator("[data-selected-count]");

    // j focuses the first row; x selects it; two rows on, X selects the range; x there unselects the last.
    await page.keyboard.press("j");
    expect(await focusedTask(page)).toBe(first);
    await page.keyboard.press("x");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    expect(await focusedTask(page)).toBe(third);
    await page.keyboard.press("Shift+X");
    expect(await count.textContent()).toBe("3 tasks selected.");
    await page.keyboard.press("x");
    expect(await count.textContent()).toBe("2 tasks selected.");

    await page.keyboard.press("a");
    const status = page.locator("#bulk-status");
    await expect.poll(() => status.textContent()).toMatch(/^Approving 2 tasks in [1-5] s\. Undo \(u\)$/);
    await expect.poll(() => announced(page)).toBe("Approving 2 tasks in 5 seconds. Press u to undo.");
    await page.screenshot({ path: join(SHOTS, "console-bulk-undo.png"), fullPage: true });
    await page.keyboard.press("u");
    await expect.poll(() => announced(page)).toBe("Undone: nothing was sent.");
    // Past the window: nothing was sent, nothing decided.
    await page.waitForTimeout(6_000);
    expect(await decisionOf(first!)).toBeNull();
    expect(await decisionOf(second!)).toBeNull();

    // Focus went back to Approve selected; a again, and this time the window runs out.
    await page.keyboard.press("a");
    const results = page.locator("#bulk-results");
    await results.waitFor({ timeout: 15_000 });
    expect(await results.locator(`li[data-task="${first}"]`).getAttribute("data-outcome")).toBe("decided");
    expect(await results.locator(`li[data-task="${second}"]`).getAttribute("data-outcome")).toBe("decided");
    await expect.poll(() => announced(page)).toBe("2 decided.");
    expect(await decisionOf(first!)).toMatchObject({ decision: "approve", reviewer: { name: REVIEWER } });
    expect(await decisionOf(second!)).toMatchObject({ decision: "approve", reviewer: { name: REVIEWER } });
    expect(await decisionOf(third!)).toBeNull();

    // The third: select it, r to write the reason, Ctrl+Enter to reject.
    for (let step = 0; step < 3 && (await focusedTask(page)) !== third; step++) await page.keyboard.press("j");
    expect(await focusedTask(page)).toBe(third);
    await page.keyboard.press("x");
    await page.keyboard.press("r");
    expect(await focusedId(page)).toBe("bulk-reason");
    await page.keyboard.type("Off topic");
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => status.textContent()).toMatch(/^Rejecting 1 task in [1-5] s\./);
    await results.locator(`li[data-task="${third}"][data-outcome="decided"]`).waitFor({ timeout: 15_000 });
    expect(await decisionOf(third!)).toMatchObject({ decision: "reject", reason: "Off topic", reviewer: { name: REVIEWER } });
    await page.screenshot({ path: join(SHOTS, "console-bulk-results.png"), fullPage: true });
    await page.close();
  }, 180_000);
});
