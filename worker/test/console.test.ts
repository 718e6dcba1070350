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
import { when } from "../src/console/format.ts";

const HOUR = 60 * 60 * 1000;

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

/** The review-mode page for a task, and its decision forms' hidden fields. */
async function reviewFields(cookie: string, taskId: string) {
  const path = `/console/review?task=${taskId}`;
  return { csrf: await fieldFrom(cookie, path, "csrf"), decisionId: await fieldFrom(cookie, path, "decisionId") };
}

const postReview = (cookie: string, taskId: string, fields: Record<string, string>) =>
  api(`/console/review/${taskId}`, { method: "POST", headers: { cookie, origin: ORIGIN }, body: form(fields) });

/** The decision at the task's gate, the moment it wins. */
const gateDecision = async (taskId: string) =>
  ((await (await api(`/v1/reviews/${taskId}`, { headers: asReviewer() })).json()) as { decision: Record<string, unknown> | null }).decision;

describe("review mode", () => {
  it("shows a task large with its facts and its place in the queue, its forms naming the next task", async () => {
    const first = await createQueuedTask();
    const second = await createQueuedTask();
    const cookie = await signIn();
    const response = await api(`/console/review?task=${first.taskId}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const markup = await response.text();
    expect(markup).toContain(`<h1 id="review-heading" tabindex="-1">Review ${first.taskId}</h1>`);
    expect(markup).toMatch(
      new RegExp(`<img src="${ORIGIN}/v1/images/${first.taskId}\\?expires=\\d+&amp;sig=[\\w-]+" alt="The image under review`),
    );
    expect(markup).toContain("<dt>Client</dt><dd>demo</dd>");
    expect(markup).toMatch(/<dt>Time left<\/dt><dd>23 h 59 min left \(deadline /);
    expect(markup).toMatch(/Task \d+ of \d+ waiting, oldest first\./);
    expect(markup).toContain(`<a href="/console/review?task=${second.taskId}" rel="next" data-key="j"`);
    expect(markup).toContain(`<form method="post" action="/console/review/${first.taskId}">`);
    expect(markup).toContain(`<input type="hidden" name="next" value="${second.taskId}">`);
    expect(markup).toContain('<dialog id="reject-dialog" aria-labelledby="reject-title">');
    expect(markup).toContain('<script src="/console/assets/triage.js" defer></script>');
    const back = await (await api(`/console/review?task=${second.taskId}`, { headers: { cookie } })).text();
    expect(back).toContain(`<a href="/console/review?task=${first.taskId}" rel="prev" data-key="k"`);
  });

  it("approves through the task page's decision path, then goes on to the next task and says what it did", async () => {
    const first = await createQueuedTask();
    const second = await createQueuedTask();
    const cookie = await signIn("Grace");
    const fields = { ...(await reviewFields(cookie, first.taskId)), decision: "approve", next: second.taskId };
    const response = await postReview(cookie, first.taskId, fields);
    expect(response.status).toBe(303);
    const next = `/console/review?task=${second.taskId}&done=approve&decided=${first.taskId}`;
    expect(response.headers.get("location")).toBe(next);
    expect(await gateDecision(first.taskId)).toMatchObject({
      decision: "approve",
      via: "console",
      reviewer: { name: "Grace" },
      reason: null,
    });
    const markup = await (await api(next, { headers: { cookie } })).text();
    expect(markup).toContain(`<p class="notice " data-notice>You approved ${first.taskId}.</p>`);
    expect(markup).toContain(`Review ${second.taskId}</h1>`);
    // The same render's form again is the same decision: a replay, not a conflict.
    const again = await postReview(cookie, first.taskId, fields);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(next);
  });

  it("rejects with a reason, and refuses one without a reason with 400, deciding nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn("Grace");
    const fields = await reviewFields(cookie, task.taskId);
    const refused = await postReview(cookie, task.taskId, { ...fields, decision: "reject", reason: "  ", next: "" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("A rejection needs a reason of 1 to 500 characters.");
    await expectUndecided(task.taskId);
    const rejected = await postReview(cookie, task.taskId, { ...fields, decision: "reject", reason: "blurry", next: "" });
    expect(rejected.status).toBe(303);
    expect(rejected.headers.get("location")).toBe(`/console/review?done=reject&decided=${task.taskId}`);
    expect(await gateDecision(task.taskId)).toMatchObject({ decision: "reject", reason: "blurry", via: "console" });
  });

  it("stays on the task and says who won when it was already decided, or that the deadline passed first", async () => {
    const decided = await createQueuedTask();
    const expired = await createQueuedTask();
    const cookie = await signIn();
    const decidedFields = await reviewFields(cookie, decided.taskId);
    const expiredFields = await reviewFields(cookie, expired.taskId);
    expect((await decide(await decisionToken(decided.taskId, "reject", { reviewer: "ada", reason: "blurry" }))).status).toBe(200);
    const conflict = await postReview(cookie, decided.taskId, { ...decidedFields, decision: "approve", next: "" });
    expect(conflict.status).toBe(409);
    const markup = await conflict.text();
    expect(markup).toContain(`Review ${decided.taskId}</h1>`);
    expect(markup).toMatch(
      /data-notice>Your decision was not recorded: ada rejected this task via slack-app at [\d-]+ [\d:]+ UTC \(reason: blurry\)\.<\/p>/,
    );
    expect(markup).toContain("This task is no longer waiting for a decision.");
    await passDeadline(expired);
    const late = await postReview(cookie, expired.taskId, { ...expiredFields, decision: "approve", next: "" });
    expect(late.status).toBe(409);
    expect(await late.text()).toContain("data-notice>Your decision was not recorded: the review deadline passed first.</p>");
  });

  it("needs a session and the session's CSRF token to decide, and a refused post decides nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const fields = { ...(await reviewFields(cookie, task.taskId)), decision: "approve", next: "" };
    const noSession = await api(`/console/review/${task.taskId}`, { method: "POST", headers: { origin: ORIGIN }, body: form(fields) });
    expect(noSession.status).toBe(303);
    expect(noSession.headers.get("location")).toBe("/console/sign-in");
    expect((await postReview(cookie, task.taskId, { ...fields, csrf: "" })).status).toBe(403);
    const crossSite = await api(`/console/review/${task.taskId}`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
      body: form(fields),
    });
    expect(crossSite.status).toBe(403);
    await expectUndecided(task.taskId);
  });

  it("answers a review-mode address that cannot be a task's with an HTML 404", async () => {
    const response = await api("/console/review?task=nope", { headers: { cookie: await signIn() } });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  });
});

/** Each task's outcome and line in a bulk decision's results. */
async function bulkOutcomes(response: Response): Promise<Record<string, [string, string]>> {
  const markup = await response.text();
  const rows = [...markup.matchAll(/<li data-task="(tsk_[0-9a-f]{32})" data-outcome="(\w+)"><a [^>]+>[^<]+<\/a>: ([^<]*)<\/li>/g)];
  return Object.fromEntries(rows.map(([, taskId, outcome, line]) => [taskId!, [outcome!, line!]]));
}

function bulkBody(fields: Record<string, string>, taskIds: string[]) {
  const body = form(fields);
  for (const taskId of taskIds) body.append("task", taskId);
  return body;
}

const postBulk = (cookie: string, fields: Record<string, string>, taskIds: string[], origin = ORIGIN) =>
  api("/console/bulk", { method: "POST", headers: { cookie, origin }, body: bulkBody(fields, taskIds) });

describe("bulk decisions", () => {
  it("renders a box per queued task for the bulk form, whose decision id sits outside the live region", async () => {
    const task = await createQueuedTask();
    const cookie = await signIn();
    const markup = await (await api("/console", { headers: { cookie } })).text();
    expect(markup).toContain(`<input type="checkbox" name="task" value="${task.taskId}" form="bulk" aria-label="Select ${task.taskId}">`);
    expect(markup).toContain('<form id="bulk" method="post" action="/console/bulk" class="bulk" data-undo-seconds="5">');
    expect(markup).toMatch(/<input type="hidden" name="decisionId" value="[0-9a-f-]{36}">/);
    // The boxes carry nothing random, so the queue's fragment is still answered 304 while nothing changed.
    const fragment = await api("/console/queue", { headers: { cookie } });
    const again = await api("/console/queue", { headers: { cookie, "if-none-match": fragment.headers.get("etag")! } });
    expect(again.status).toBe(304);
    const script = await api("/console/assets/triage.js");
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
  });

  it("decides each selected task once, through its own gate, and says what happened to each", async () => {
    const [first, second, taken] = [await createQueuedTask(), await createQueuedTask(), await createQueuedTask()];
    expect((await decide(await decisionToken(taken.taskId, "reject", { reviewer: "ada", reason: "blurry" }))).status).toBe(200);
    const cookie = await signIn("Grace");
    const fields = { csrf: await csrfFrom(cookie), decisionId: await fieldFrom(cookie, "/console", "decisionId"), decision: "approve" };
    // The first task named twice is still one decision.
    const tasks = [first.taskId, second.taskId, taken.taskId, first.taskId];
    const response = await postBulk(cookie, fields, tasks);
    expect(response.status).toBe(200);
    const outcomes = await bulkOutcomes(response.clone());
    expect(await response.text()).toContain(">2 of 3 recorded</h2>");
    expect(outcomes[first.taskId]).toEqual(["decided", "you approved it"]);
    expect(outcomes[second.taskId]).toEqual(["decided", "you approved it"]);
    expect(outcomes[taken.taskId]![0]).toBe("already_decided");
    expect(outcomes[taken.taskId]![1]).toMatch(
      /^not recorded: ada rejected this task via slack-app at [\d-]+ [\d:]+ UTC \(reason: blurry\)$/,
    );
    for (const task of [first, second]) {
      expect(await gateDecision(task.taskId)).toMatchObject({ decision: "approve", via: "console", reviewer: { name: "Grace" } });
    }
    expect(await gateDecision(taken.taskId)).toMatchObject({ decision: "reject", reviewer: { name: "ada" } });
    // The same form sent again is a replay at each gate: the same answers, no second decision.
    const replay = await bulkOutcomes(await postBulk(cookie, fields, tasks));
    expect(replay[first.taskId]).toEqual(["decided", "you approved it"]);
    expect(replay[taken.taskId]![0]).toBe("already_decided");
    const rejectAfter = await bulkOutcomes(
      await postBulk(cookie, { ...fields, decision: "reject", reason: "changed my mind" }, [first.taskId]),
    );
    expect(rejectAfter[first.taskId]![1]).toMatch(/^not recorded: Grace approved this task via console at /);
  });

  it("rejects every selected task with one reason, and says which had expired", async () => {
    const [rejected, expired] = [await createQueuedTask(), await createQueuedTask()];
    await passDeadline(expired);
    const cookie = await signIn("Grace");
    const fields = { csrf: await csrfFrom(cookie), decisionId: crypto.randomUUID(), decision: "reject", reason: "off topic" };
    const outcomes = await bulkOutcomes(await postBulk(cookie, fields, [rejected.taskId, expired.taskId]));
    expect(outcomes).toEqual({
      [rejected.taskId]: ["decided", "you rejected it"],
      [expired.taskId]: ["expired", "not recorded: the review deadline passed first"],
    });
    expect(await gateDecision(rejected.taskId)).toMatchObject({ decision: "reject", reason: "off topic", reviewer: { name: "Grace" } });
  });

  it("refuses a bad bulk form with 400 before asking any gate: no reason to reject, no tasks, too many, a bad id or decision id", async () => {
    const [first, second] = [await createReviewableTask(), await createReviewableTask()];
    const cookie = await signIn();
    const fields = { csrf: await csrfFrom(cookie), decisionId: crypto.randomUUID(), decision: "reject" };
    const tooMany = Array.from({ length: 21 }, (_, n) => `tsk_${n.toString(16).padStart(32, "0")}`);
    const cases: [Record<string, string>, string[], string][] = [
      [{ ...fields, reason: " " }, [first.taskId, second.taskId], "A rejection needs a reason of 1 to 500 characters."],
      [{ ...fields, reason: "blurry" }, [], "Select at least one task."],
      [{ ...fields, reason: "blurry" }, [first.taskId, ...tooMany], "Select at most 20 tasks, one page of the queue."],
      [{ ...fields, reason: "blurry" }, [first.taskId, "tsk_nope"], "That is not a task id."],
      [
        { ...fields, reason: "blurry", decisionId: "again" },
        [first.taskId, second.taskId],
        "That form was not sent from this page: decide again below.",
      ],
    ];
    for (const [body, tasks, problem] of cases) {
      const response = await postBulk(cookie, body, tasks);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(problem);
    }
    await expectUndecided(first.taskId);
    await expectUndecided(second.taskId);
  });

  it("needs a session and its CSRF token from the console's origin, and a refused post decides nothing", async () => {
    const task = await createReviewableTask();
    const cookie = await signIn();
    const fields = { csrf: await csrfFrom(cookie), decisionId: crypto.randomUUID(), decision: "approve" };
    const noSession = await api("/console/bulk", { method: "POST", headers: { origin: ORIGIN }, body: bulkBody(fields, [task.taskId]) });
    expect(noSession.status).toBe(303);
    expect(noSession.headers.get("location")).toBe("/console/sign-in");
    expect((await postBulk(cookie, { ...fields, csrf: "" }, [task.taskId])).status).toBe(403);
    expect((await postBulk(cookie, { ...fields, csrf: await csrfFrom(await signIn("Other")) }, [task.taskId])).status).toBe(403);
    expect((await postBulk(cookie, fields, [task.taskId], "https://evil.example")).status).toBe(403);
    await expectUndecided(task.taskId);
  });
});

describe("the console under a quorum", () => {
  const twoApprovals = { headers: { "review-policy": JSON.stringify({ approvalsRequired: 2 }) } };

  it("marks a task overdue once a reminder came due and escalated once the escalation did, and times each on its page", async () => {
    const policy = { remindAfter: ["1 hour"], escalateAfter: "2 hours", escalateTo: "#leads" };
    const task = await createQueuedTask({ headers: { "review-policy": JSON.stringify(policy) } });
    while (!(await gateOf(task.taskId).prescreenHeard())) await new Promise((resolve) => setTimeout(resolve, 25));
    const cookie = await signIn();
    const at = (ms: number) => Date.parse(task.createdAt) + ms;
    const utc = (ms: number) => `${new Date(at(ms)).toISOString().slice(0, 19).replace("T", " ")} UTC`;
    const queueRow = async () => {
      const markup = await (await api("/console", { headers: { cookie } })).text();
      return markup.slice(markup.indexOf(`<li data-task="${task.taskId}">`)).split("</li>")[0];
    };
    try {
      expect(await queueRow()).not.toContain('class="mark');
      vi.setSystemTime(at(HOUR) + 1000);
      expect(await queueRow()).toContain(
        `<p class="mark mark-overdue" data-stage="reminder-1">Overdue: reminder 1 came due at ${utc(HOUR)}</p>`,
      );
      expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
      const page = async () => (await api(`/console/tasks/${task.taskId}`, { headers: { cookie } })).text();
      expect(await page()).toContain(`<li data-stage>Reminder 1 came due at ${utc(HOUR)}, not delivered yet</li>`);
      const confirmed = await api(`/v1/reviews/${task.taskId}/stages/reminder-1/confirm`, { method: "POST", headers: asReviewer() });
      expect(confirmed.status).toBe(204);
      expect(await page()).toContain(
        `<li data-stage>Reminder 1 came due at ${utc(HOUR)}, delivered at ${when(new Date().toISOString())}</li>`,
      );
      vi.setSystemTime(at(2 * HOUR) + 1000);
      expect(await queueRow()).toContain(
        `<p class="mark mark-escalated" data-stage="escalation">Escalated to #leads at ${utc(2 * HOUR)}</p>`,
      );
      expect(await queueRow()).not.toContain("mark-overdue");
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts an approval from review mode and from a bulk decision, and shows how many of how many, and whose", async () => {
    const [viaReview, viaBulk] = [await createQueuedTask(twoApprovals), await createQueuedTask(twoApprovals)];
    const cookie = await signIn("Grace");
    expect(await (await api(`/console/review?task=${viaReview.taskId}`, { headers: { cookie } })).text()).toContain(
      "<p data-approvals>0 of 2 approvals</p>",
    );
    const counted = await postReview(cookie, viaReview.taskId, {
      ...(await reviewFields(cookie, viaReview.taskId)),
      decision: "approve",
      next: "",
    });
    expect(counted.status).toBe(303);
    expect(counted.headers.get("location")).toBe(`/console/review?done=counted&decided=${viaReview.taskId}`);
    const page = await (await api(`/console/tasks/${viaReview.taskId}`, { headers: { cookie } })).text();
    expect(page).toContain("<p data-approvals>1 of 2 approvals: Grace</p>");
    expect(page).toContain('data-status="pending"');
    const fields = { csrf: await csrfFrom(cookie), decisionId: crypto.randomUUID(), decision: "approve" };
    expect(await bulkOutcomes(await postBulk(cookie, fields, [viaBulk.taskId]))).toEqual({
      [viaBulk.taskId]: ["approval_counted", "your approval counted: 1 of 2 approvals"],
    });
    expect(await gateDecision(viaBulk.taskId)).toBeNull();
  });
});
