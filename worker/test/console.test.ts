// The review console through the Worker's fetch handler: sign-in, sessions, CSRF, and decisions via "console".
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { listSessions, sessionStore } from "../src/adapters/console-sessions.ts";
import { FORM_BODY_BYTES } from "../src/console/body-limit.ts";
import { SESSION_LIFETIME_MS } from "../src/services/console-sessions.ts";
import { MULTIPART_OVERHEAD_BYTES } from "../src/domain/upload.ts";
import {
  api as callWorker,
  asClient,
  asReviewer,
  BROKEN_OFF,
  brokenOff,
  createQueuedTask,
  createTask,
  decide,
  decisionToken,
  gateOf,
  ORIGIN,
  passDeadline,
  REVIEWER_TOKEN,
  waitForTask,
} from "./support/api.ts";
import { RED_PNG } from "./support/images.ts";

// Redirects are what these tests check, so they are never followed.
const api = (path: string, init: RequestInit = {}) => callWorker(path, { redirect: "manual", ...init });

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

async function signIn(name = "Grace"): Promise<string> {
  const response = await api("/console/sign-in", {
    method: "POST",
    headers: { origin: ORIGIN },
    body: form({ token: REVIEWER_TOKEN, name }),
  });
  expect(response.status).toBe(303);
  const cookie = response.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0]!;
}

/** The session id the signed cookie carries: `<sid>.<signature>`, URI-encoded. */
const sidOf = (cookie: string): string => decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1)).split(".")[0]!;

async function expectSignedOut(cookie: string): Promise<void> {
  const response = await api("/console", { headers: { cookie } });
  expect(response.status).toBe(303);
  expect(response.headers.get("location")).toBe("/console/sign-in");
}

/** A task reviewers see whose gate has heard its pre-screen: a decision it took would start the workflow at once. */
async function createReviewableTask() {
  const task = await createQueuedTask();
  while (!(await gateOf(task.taskId).prescreenHeard())) await new Promise((resolve) => setTimeout(resolve, 25));
  return task;
}

/**
 * Nothing was decided, where a decision lands at once: the task's gate (read through GET /v1/reviews/:id) still
 * pending with no decision, and its alarm, run now, starts no workflow (a decided gate would start one).
 */
async function expectUndecided(taskId: string): Promise<void> {
  const review = await api(`/v1/reviews/${taskId}`, { headers: asReviewer() });
  expect(await review.json()).toMatchObject({ status: "pending", decision: null });
  await runDurableObjectAlarm(gateOf(taskId));
  await expect(env.REVIEW_WORKFLOW.get(taskId)).rejects.toThrow();
}

/** A body that streams `chunks` chunks of 16 KiB and counts how many the Worker pulled. */
function countingBody(prefix: string, chunks: number) {
  const chunk = new Uint8Array(16 * 1024).fill(0x78);
  const counter = { pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled === chunks) return controller.close();
      controller.enqueue(counter.pulled === 0 ? new TextEncoder().encode(prefix) : chunk);
      counter.pulled++;
    },
  });
  return { body, counter };
}

/** The value of the first hidden field `name` on the page at `path`. */
async function fieldFrom(cookie: string, path: string, name: string): Promise<string> {
  const markup = await (await api(path, { headers: { cookie } })).text();
  const match = new RegExp(`name="${name}" value="([^"]+)"`).exec(markup);
  if (!match) throw new Error(`no ${name} field on ${path}`);
  return match[1]!;
}

const csrfFrom = (cookie: string, path = "/console") => fieldFrom(cookie, path, "csrf");

/** The decision forms' hidden fields, as the task page rendered them. */
async function decisionFields(cookie: string, taskId: string) {
  const path = `/console/tasks/${taskId}`;
  return { csrf: await fieldFrom(cookie, path, "csrf"), decisionId: await fieldFrom(cookie, path, "decisionId") };
}

const postDecision = (cookie: string, taskId: string, fields: Record<string, string>) =>
  api(`/console/tasks/${taskId}`, { method: "POST", headers: { cookie, origin: ORIGIN }, body: form(fields) });

describe("review console", () => {
  it("signs in with the reviewer token: an HttpOnly, Secure, SameSite=Strict session cookie, then the queue", async () => {
    const response = await api("/console/sign-in", {
      method: "POST",
      headers: { origin: ORIGIN },
      body: form({ token: REVIEWER_TOKEN, name: "Grace" }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console");
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/console(;|$)/);
    expect(cookie).toMatch(new RegExp(`Max-Age=${SESSION_LIFETIME_MS / 1000}(;|$)`));
    const queue = await api("/console", { headers: { cookie: cookie.split(";")[0]! } });
    expect(queue.status).toBe(200);
    expect(await queue.text()).toContain("Signed in as Grace");
  });

  it("sends a Content-Security-Policy that runs only the console's own script and stylesheet", async () => {
    const cookie = await signIn();
    const response = await api("/console", { headers: { cookie } });
    const policy = response.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "frame-ancestors 'none'"]) {
      expect(policy).toContain(directive);
    }
    const markup = await response.text();
    expect(markup).not.toMatch(/<script>|<style>|\son\w+=/);
    const script = await api("/console/assets/live.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("data-live");
    expect((await api("/console/assets/console.css")).headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("refuses a wrong reviewer token with 401 and no cookie", async () => {
    const response = await api("/console/sign-in", {
      method: "POST",
      headers: { origin: ORIGIN },
      body: form({ token: "nope", name: "Mallory" }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toContain("not valid");
  });

  it("redirects every page to sign-in without a session, and with a forged one", async () => {
    for (const path of ["/console", "/console/upload", "/console/tasks/tsk_00000000000000000000000000000000"]) {
      const response = await api(path, { redirect: "manual" });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/console/sign-in");
    }
    const forged = await api("/console", { headers: { cookie: "greenlight_console=eyJuYW1lIjoiTSJ9.AAAA" }, redirect: "manual" });
    expect(forged.status).toBe(303);
    // A real cookie's signature over another session id.
    const real = await signIn();
    const tampered = real.replace(sidOf(real), crypto.randomUUID());
    expect((await api("/console", { headers: { cookie: tampered } })).status).toBe(303);
    expect((await api("/console", { headers: { cookie: real } })).status).toBe(200);
  });

  it("lists a queued task with its signed thumbnail", async () => {
    const task = await createQueuedTask();
    const markup = await (await api("/console", { headers: { cookie: await signIn() } })).text();
    expect(markup).toContain(`/console/tasks/${task.taskId}`);
    expect(markup).toMatch(new RegExp(`/v1/images/${task.taskId}\\?expires=\\d+&amp;sig=`));
  });

  it("approves through the form: the decision is recorded via console with the signed-in name", async () => {
    const task = await createTask();
    const cookie = await signIn("Grace");
    const response = await postDecision(cookie, task.taskId, { ...(await decisionFields(cookie, task.taskId)), decision: "approve" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/console/tasks/${task.taskId}?done=approve`);
    const decided = await waitForTask(task.taskId, (t) => t.decision !== null);
    expect(decided.decision).toMatchObject({ decision: "approve", via: "console", reviewer: { name: "Grace" }, reason: null });
  });

  it("refuses a rejection without a reason, and decides nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const response = await postDecision(cookie, task.taskId, {
      ...(await decisionFields(cookie, task.taskId)),
      decision: "reject",
      reason: " ",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("A rejection needs a reason of 1 to 500 characters.");
    await expectUndecided(task.taskId);
  });

  it("refuses a post without the page's decision id with 400, and decides nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const response = await postDecision(cookie, task.taskId, { csrf: await csrfFrom(cookie), decision: "approve" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("That form was not sent from this page: decide again below.");
    await expectUndecided(task.taskId);
  });

  it("takes the same form sent twice (a double click, Back and resubmit) as one decision", async () => {
    const task = await createTask();
    const cookie = await signIn("Grace");
    const fields = { ...(await decisionFields(cookie, task.taskId)), decision: "reject", reason: "blurry" };
    for (let post = 0; post < 2; post++) {
      const response = await postDecision(cookie, task.taskId, fields);
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe(`/console/tasks/${task.taskId}?done=reject`);
    }
    // The same page's other form is another decision, refused: the first stands.
    const other = await postDecision(cookie, task.taskId, { ...fields, decision: "approve" });
    expect(other.status).toBe(409);
    expect(await other.text()).toContain("Your decision was not recorded: Grace rejected this task via console");
  });

  it("shows who won when the task was already decided elsewhere", async () => {
    const task = await createTask();
    const cookie = await signIn();
    const fields = await decisionFields(cookie, task.taskId);
    expect((await decide(await decisionToken(task.taskId, "reject", { reviewer: "ada", reason: "blurry" }))).status).toBe(200);
    const response = await postDecision(cookie, task.taskId, { ...fields, decision: "approve" });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("Your decision was not recorded: ada rejected this task via slack-app");
  });

  it("says the deadline passed first when the review has expired", async () => {
    const task = await createQueuedTask();
    const cookie = await signIn();
    const fields = await decisionFields(cookie, task.taskId);
    await passDeadline(task);
    const response = await postDecision(cookie, task.taskId, { ...fields, decision: "approve" });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("Your decision was not recorded: the review deadline passed first.");
  });

  it("answers a decision on a task deleted since its page opened with an HTML 404", async () => {
    const task = await createQueuedTask();
    const cookie = await signIn();
    const fields = await decisionFields(cookie, task.taskId);
    expect((await callWorker(`/v1/tasks/${task.taskId}`, { method: "DELETE", headers: asClient() })).status).toBe(204);
    const response = await postDecision(cookie, task.taskId, { ...fields, decision: "approve" });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("The task was deleted, so its review is closed.");
  });

  it("refuses a cross-site post (403) and a post without the session's CSRF token, and decides nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const { csrf, decisionId } = await decisionFields(cookie, task.taskId);
    const crossSite = await api(`/console/tasks/${task.taskId}`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
      body: form({ csrf, decisionId, decision: "approve" }),
    });
    expect(crossSite.status).toBe(403);
    const noToken = await postDecision(cookie, task.taskId, { decisionId, decision: "approve" });
    expect(noToken.status).toBe(403);
    const otherSession = await csrfFrom(await signIn("Other"));
    const wrongToken = await postDecision(cookie, task.taskId, { csrf: otherSession, decisionId, decision: "approve" });
    expect(wrongToken.status).toBe(403);
    await expectUndecided(task.taskId);
  });

  it("uploads through the form as client console and shows the new task", async () => {
    const cookie = await signIn();
    const csrf = await csrfFrom(cookie, "/console/upload");
    const body = new FormData();
    body.set("csrf", csrf);
    body.set("image", new File([RED_PNG], "red.png", { type: "image/png" }));
    body.set("metadata", '{"order": 7}');
    const response = await api("/console/upload", { method: "POST", headers: { cookie, origin: ORIGIN }, body });
    expect(response.status).toBe(303);
    const taskId = /\/console\/tasks\/(tsk_[0-9a-f]{32})$/.exec(response.headers.get("location") ?? "")?.[1];
    expect(taskId).toBeDefined();
    const record = (await env.TASKS.get(`task:v1:${taskId}`, "json")) as { clientId: string; task: { metadata: unknown } };
    expect(record.clientId).toBe("console");
    expect(record.task.metadata).toEqual({ order: 7 });
    const pageMarkup = await (await api(`/console/tasks/${taskId}`, { headers: { cookie } })).text();
    expect(pageMarkup).toContain(`Task ${taskId}`);
  });

  it("refuses upload metadata the API would refuse (not an object, over 8 KiB), with 400, and writes nothing", async () => {
    const cookie = await signIn();
    const csrf = await csrfFrom(cookie, "/console/upload");
    for (const metadata of ["[1, 2]", JSON.stringify({ note: "é".repeat(5000) })]) {
      const before = (await env.TASKS.list({ prefix: "task:" })).keys.length;
      const body = new FormData();
      body.set("csrf", csrf);
      body.set("image", new File([RED_PNG], "red.png", { type: "image/png" }));
      body.set("metadata", metadata);
      const response = await api("/console/upload", { method: "POST", headers: { cookie, origin: ORIGIN }, body });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/metadata must be/);
      expect((await env.TASKS.list({ prefix: "task:" })).keys.length).toBe(before);
    }
  });

  it("answers the live fragment with an ETag and 304 while nothing changed", async () => {
    // Queued: the pre-screen is done, so nothing moves until someone decides.
    const task = await createQueuedTask();
    const cookie = await signIn();
    const first = await api(`/console/tasks/${task.taskId}/live`, { headers: { cookie } });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\/"[\w-]{22}"$/);
    // The page embeds the same tag, so the live script's first poll is already a 304.
    expect(await (await api(`/console/tasks/${task.taskId}`, { headers: { cookie } })).text()).toContain(
      `data-etag="${etag.replaceAll('"', "&quot;")}"`,
    );
    const again = await api(`/console/tasks/${task.taskId}/live`, { headers: { cookie, "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("refuses a reason longer than 500 characters, and decides nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const response = await postDecision(cookie, task.taskId, {
      ...(await decisionFields(cookie, task.taskId)),
      decision: "reject",
      reason: "x".repeat(501),
    });
    expect(response.status).toBe(400);
    await expectUndecided(task.taskId);
  });

  it("answers an unknown task and an unknown console page with an HTML 404", async () => {
    const cookie = await signIn();
    for (const path of ["/console/tasks/tsk_00000000000000000000000000000000", "/console/nowhere"]) {
      const response = await api(path, { headers: { cookie } });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    }
  });

  it("signs out: the cookie is cleared", async () => {
    const cookie = await signIn();
    const response = await api("/console/sign-out", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      body: form({ csrf: await csrfFrom(cookie) }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/sign-in");
    expect(response.headers.get("set-cookie")).toMatch(/^greenlight_console=;.*Max-Age=0/);
  });

  it("ends the session on the server at sign-out: the saved cookie and its CSRF token get nothing back", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const fields = await decisionFields(cookie, task.taskId);
    expect((await api("/console", { headers: { cookie } })).headers.get("cache-control")).toBe("no-store");
    const signOut = await api("/console/sign-out", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      body: form({ csrf: fields.csrf }),
    });
    expect(signOut.status).toBe(303);
    await expectSignedOut(cookie);
    const replay = await postDecision(cookie, task.taskId, { ...fields, decision: "approve" });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toBe("/console/sign-in");
    await expectUndecided(task.taskId);
  });

  it("lists the living sessions and ends another reviewer's at once", async () => {
    const mine = await signIn("Grace");
    const theirs = await signIn("Linus");
    const sid = sidOf(theirs);
    const listing = await (await api("/console/sessions", { headers: { cookie: mine } })).text();
    expect(listing).toMatch(new RegExp(`<tr data-session="${sidOf(mine)}">\\s*<td>Grace <strong>\\(this session\\)</strong>`));
    expect(listing).toMatch(new RegExp(`<tr data-session="${sid}">\\s*<td>Linus</td>`));
    const csrf = await csrfFrom(mine, "/console/sessions");
    const response = await api(`/console/sessions/${sid}/revoke`, {
      method: "POST",
      headers: { cookie: mine, origin: ORIGIN },
      body: form({ csrf }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/sessions?ended=1");
    expect(response.headers.get("set-cookie")).toBeNull();
    await expectSignedOut(theirs);
    const after = await api("/console/sessions?ended=1", { headers: { cookie: mine } });
    expect(after.status).toBe(200);
    const markup = await after.text();
    expect(markup).toContain("That session has ended.");
    expect(markup).not.toContain(`data-session="${sid}"`);
  });

  it("signs out everywhere: every session ends, the one that asked included", async () => {
    const cookies = [await signIn("Grace"), await signIn("Linus")];
    const csrf = await csrfFrom(cookies[0]!, "/console/sessions");
    const response = await api("/console/sessions/revoke-all", {
      method: "POST",
      headers: { cookie: cookies[0]!, origin: ORIGIN },
      body: form({ csrf }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/sign-in");
    expect(response.headers.get("set-cookie")).toMatch(/^greenlight_console=;.*Max-Age=0/);
    for (const cookie of cookies) await expectSignedOut(cookie);
    expect(await listSessions(env, Date.now())).toEqual([]);
  });

  it("forgets expired sessions: the cookie is refused, the page no longer lists it, the next sign-in deletes its row", async () => {
    const expired = await signIn("Yesterday");
    const sid = sidOf(expired);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + SESSION_LIFETIME_MS + 1000);
      await expectSignedOut(expired);
      const fresh = await signIn("Today");
      expect(await (await api("/console/sessions", { headers: { cookie: fresh } })).text()).not.toContain(`data-session="${sid}"`);
      const rows = await runInDurableObject(sessionStore(env), (_, state) =>
        state.storage.sql.exec("SELECT sid FROM sessions WHERE sid = ?", sid).toArray(),
      );
      expect(rows).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses an oversize sign-in body with 413 before parsing it, whatever its Content-Length says, and starts no session", async () => {
    const before = (await listSessions(env, Date.now())).length;
    const credentials = `token=${REVIEWER_TOKEN}&name=Grace&pad=`;
    const declared = await api("/console/sign-in", {
      method: "POST",
      headers: { origin: ORIGIN },
      body: `${credentials}${"x".repeat(FORM_BODY_BYTES)}`,
    });
    expect(declared.status).toBe(413);
    expect(declared.headers.get("set-cookie")).toBeNull();
    expect(await declared.text()).toContain(`The body must be at most ${FORM_BODY_BYTES} bytes.`);
    // 1 MiB behind a Content-Length of 40: counted as it streams and refused near the 8 KiB budget, far from drained.
    const { body, counter } = countingBody(credentials, 64);
    const streamed = await api("/console/sign-in", {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded", "content-length": "40" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(streamed.headers.get("set-cookie")).toBeNull();
    expect(counter.pulled).toBeLessThanOrEqual(8);
    expect((await listSessions(env, Date.now())).length).toBe(before);
  });

  it("answers a decision form that ends before its Content-Length with an HTML 400, and decides nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const whole = new TextEncoder().encode(form({ ...(await decisionFields(cookie, task.taskId)), decision: "approve" }).toString());
    const response = await api(`/console/tasks/${task.taskId}`, {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: brokenOff(whole.slice(0, 20), whole.byteLength),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain(BROKEN_OFF.error.message);
    await expectUndecided(task.taskId);
  });

  it("refuses an oversize decision form with 413 and decides nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const response = await postDecision(cookie, task.taskId, {
      ...(await decisionFields(cookie, task.taskId)),
      decision: "reject",
      reason: "x".repeat(FORM_BODY_BYTES),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    await expectUndecided(task.taskId);
  });

  it("refuses an upload past the image limit plus multipart framing with 413, and writes nothing", async () => {
    const cookie = await signIn();
    const csrf = await csrfFrom(cookie, "/console/upload");
    const before = (await env.TASKS.list({ prefix: "task:" })).keys.length;
    const body = new FormData();
    body.set("csrf", csrf);
    body.set(
      "image",
      new File([new Uint8Array(Number(env.MAX_UPLOAD_BYTES) + MULTIPART_OVERHEAD_BYTES)], "big.png", { type: "image/png" }),
    );
    const response = await api("/console/upload", { method: "POST", headers: { cookie, origin: ORIGIN }, body });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain(`The body must be at most ${Number(env.MAX_UPLOAD_BYTES) + MULTIPART_OVERHEAD_BYTES} bytes.`);
    expect((await env.TASKS.list({ prefix: "task:" })).keys.length).toBe(before);
  });
});
