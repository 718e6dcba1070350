// The review console in a real browser: a headless Chromium or Chrome driven by playwright-core against the local stack.
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";
import { setting } from "../../scripts/lib/dev-vars.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import type { Stack } from "../../scripts/lib/stack.ts";
import { CHROMIUM, type Console, closeConsole, FIXTURES, openConsole, reviewerToken, SHOTS, signIn as signInTo } from "./console-stack.ts";

const decisionSecret = setting("DECISION_SIGNING_SECRET");

let opened: Partial<Console> = {};
let stack: Stack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  if (!CHROMIUM) return;
  opened = await openConsole("Grace Hopper");
  ({ stack, browser, context } = opened as Console);
});

afterAll(() => closeConsole(opened));

const signIn = (target: BrowserContext, name: string) => signInTo(stack, target, name);

/** Uploads a fixture through the form and answers the new task's page and id. */
async function uploadFixture(file: string): Promise<{ page: Page; taskId: string }> {
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/console/upload`);
  await page.getByLabel("Image").setInputFiles(join(FIXTURES, file));
  await page.getByLabel("Metadata").fill('{"from": "browser test"}');
  await page.getByRole("button", { name: "Upload" }).click();
  await page.waitForURL(/\/console\/tasks\/tsk_[0-9a-f]{32}$/);
  const taskId = /tsk_[0-9a-f]{32}/.exec(page.url())![0];
  await expect.poll(() => page.getByRole("heading", { name: `Task ${taskId}` }).count()).toBe(1);
  return { page, taskId };
}

const taskStatus = (page: Page) => page.locator("[data-status]").getAttribute("data-status");

describe.skipIf(!CHROMIUM)("review console in Chromium", () => {
  it("redirects to sign-in without a session", async () => {
    const anonymous = await browser.newContext();
    const page = await anonymous.newPage();
    await page.goto(`${stack.baseUrl}/console`);
    expect(page.url()).toBe(`${stack.baseUrl}/console/sign-in`);
    await expect.poll(() => page.getByLabel("Reviewer token").count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, "console-sign-in.png"), fullPage: true });
    await anonymous.close();
  });

  it("uploads a photo, finds it in the queue, approves it and sees the tags appear without reloading", async () => {
    const { page: uploaded, taskId } = await uploadFixture("chelsea-the-cat.jpg");
    await uploaded.close();

    // The queue page itself live-updates: the task shows up once the workflow has pre-screened it.
    const queue = await context.newPage();
    await queue.goto(`${stack.baseUrl}/console`);
    const row = queue.locator(`li[data-task="${taskId}"]`);
    await row.waitFor({ timeout: 60_000 });
    await expect
      .poll(() => row.locator("img").evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0))
      .toBe(true);
    await queue.screenshot({ path: join(SHOTS, "console-queue.png"), fullPage: true });

    await row.getByRole("link", { name: taskId }).click();
    await queue.waitForURL(`${stack.baseUrl}/console/tasks/${taskId}`);
    await queue.getByRole("button", { name: "Approve" }).click();
    await queue.waitForURL(`${stack.baseUrl}/console/tasks/${taskId}?done=approve`);
    await queue.getByText("Your decision (approve) was recorded.").waitFor();

    // No reload from here on: the live region swaps itself when the tags arrive.
    let reloaded = false;
    queue.on("framenavigated", () => (reloaded = true));
    await queue.locator("[data-tags]").waitFor({ timeout: 90_000 });
    expect(reloaded).toBe(false);
    expect(await taskStatus(queue)).toBe("completed");
    expect(await queue.locator("[data-tags]").innerText()).toContain("cat");
    expect(await queue.locator("[data-decision]").innerText()).toContain("Grace Hopper approved this task via console");
    await queue.screenshot({ path: join(SHOTS, "console-task-completed.png"), fullPage: true });
    await queue.close();
  }, 180_000);

  it("rejects with a reason", async () => {
    const { page, taskId } = await uploadFixture("coffee.webp");
    await page.getByLabel(/Reason for rejecting/).fill("Not a product photo");
    await page.getByRole("button", { name: "Reject" }).click();
    await page.waitForURL(`${stack.baseUrl}/console/tasks/${taskId}?done=reject`);
    expect(await taskStatus(page)).toMatch(/^rejected$/);
    expect(await page.locator("[data-decision]").innerText()).toContain("(reason: Not a product photo)");
    await page.close();
  }, 120_000);

  it("shows a decision made elsewhere by itself, and who won when a stale page decides", async () => {
    const { page, taskId } = await uploadFixture("astronaut.jpg");
    await page.screenshot({ path: join(SHOTS, "console-task-pending.png"), fullPage: true });
    const token = await signDecisionToken(decisionSecret, {
      taskId,
      decision: "reject",
      reviewer: { id: "U-ADA", name: "Ada" },
      reason: "duplicate",
      issuer: "n8n",
    });
    const answer = await fetch(`${stack.baseUrl}/v1/decisions`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);

    await page.locator("[data-decision]").waitFor({ timeout: 30_000 });
    expect(await page.locator("[data-decision]").innerText()).toContain("Ada rejected this task via n8n");

    await page.getByRole("button", { name: "Approve" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain("Your decision was not recorded: Ada rejected this task via n8n");
    await page.screenshot({ path: join(SHOTS, "console-conflict.png"), fullPage: true });
    await page.close();
  }, 120_000);

  it("refuses a cross-site form post and changes nothing", async () => {
    const { page, taskId } = await uploadFixture("nagasaki-boats.jpg");
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    await page.close();
    // Even with a real CSRF token, a form on another site is refused by the Origin check.
    const attackerPort = await freePort();
    const attacker: Server = createServer((_, response) => {
      response.setHeader("content-type", "text/html");
      response.end(`<form id="f" method="post" action="${stack.baseUrl}/console/tasks/${taskId}">
<input name="csrf" value="${csrf}"><input name="decision" value="approve"></form><script>document.getElementById("f").submit()</script>`);
    });
    await new Promise<void>((done) => attacker.listen(attackerPort, "127.0.0.1", done));
    try {
      const evil = await context.newPage();
      const refused = evil.waitForResponse(
        (response) => response.url().endsWith(`/console/tasks/${taskId}`) && response.request().method() === "POST",
      );
      await evil.goto(`http://localhost:${attackerPort}/`);
      expect((await refused).status()).toBe(403);
      await evil.close();
    } finally {
      attacker.close();
    }
    const review = await fetch(`${stack.baseUrl}/v1/reviews/${taskId}`, { headers: { authorization: `Bearer ${reviewerToken}` } });
    expect(((await review.json()) as { decision: unknown }).decision).toBeNull();
  }, 60_000);

  it("signs out for good: neither Back nor the saved cookie gets back in", async () => {
    const leaving = await browser.newContext();
    await signIn(leaving, "Leaving Reviewer");
    const page = await leaving.newPage();
    await page.goto(`${stack.baseUrl}/console/sessions`);
    await page.screenshot({ path: join(SHOTS, "console-sessions.png"), fullPage: true });
    const saved = await leaving.cookies();
    await page.locator("header").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${stack.baseUrl}/console/sign-in`);
    await page.goBack();
    expect(page.url()).toBe(`${stack.baseUrl}/console/sign-in`);
    await leaving.addCookies(saved);
    await page.goto(`${stack.baseUrl}/console`);
    expect(page.url()).toBe(`${stack.baseUrl}/console/sign-in`);
    await leaving.close();
  }, 60_000);

  it("sends an open page to sign-in by itself once its session is ended from another browser", async () => {
    const revoked = await browser.newContext();
    await signIn(revoked, "Revoked Reviewer");
    const open = await revoked.newPage();
    await open.goto(`${stack.baseUrl}/console`);
    const admin = await context.newPage();
    await admin.goto(`${stack.baseUrl}/console/sessions`);
    await admin.getByRole("button", { name: "End session of Revoked Reviewer" }).click();
    await admin.waitForURL(`${stack.baseUrl}/console/sessions?ended=1`);
    // The queue's live update finds the session gone and goes to sign-in, with no click on the revoked side.
    await open.waitForURL(`${stack.baseUrl}/console/sign-in`, { timeout: 10_000 });
    await admin.close();
    await revoked.close();
  }, 60_000);

  it("fits a phone-sized screen", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    await signIn(phone, "Phone Reviewer");
    const page = await phone.newPage();
    await page.goto(`${stack.baseUrl}/console`);
    await expect
      .poll(() =>
        page
          .locator(".queue img")
          .first()
          .evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0),
      )
      .toBe(true);
    const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, "console-queue-phone.png"), fullPage: true });
    await phone.close();
  }, 60_000);
});
