// The review console through the Worker's fetch handler: sign-in, sessions, CSRF, and decisions via "console".
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api as callWorker, createQueuedTask, createTask, decide, decisionToken, getTask, ORIGIN, REVIEWER_TOKEN, waitForTask } from "./support/api.ts";
import { RED_PNG } from "./support/images.ts";

// Redirects are what these tests check, so they are never followed.
const api = (path: string, init: RequestInit = {}) => callWorker(path, { redirect: "manual", ...init });

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

async function signIn(name = "Grace"): Promise<string> {
  const response = await api("/console/sign-in", { method: "POST", headers: { origin: ORIGIN }, body: form({ token: REVIEWER_TOKEN, name }) });
  expect(response.status).toBe(303);
  const cookie = response.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0]!;
}

async function csrfFrom(cookie: string, path = "/console"): Promise<string> {
  const markup = await (await api(path, { headers: { cookie } })).text();
  const match = /name="csrf" value="([^"]+)"/.exec(markup);
  if (!match) throw new Error(`no CSRF token on ${path}`);
  return match[1]!;
}

describe("review console", () => {
  it("signs in with the reviewer token: an HttpOnly, Secure, SameSite=Strict session cookie, then the queue", async () => {
    const response = await api("/console/sign-in", { method: "POST", headers: { origin: ORIGIN }, body: form({ token: REVIEWER_TOKEN, name: "Grace" }) });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console");
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
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
    const response = await api("/console/sign-in", { method: "POST", headers: { origin: ORIGIN }, body: form({ token: "nope", name: "Mallory" }) });
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
    const csrf = await csrfFrom(cookie, `/console/tasks/${task.taskId}`);
    const response = await api(`/console/tasks/${task.taskId}`, {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      body: form({ csrf, decision: "approve" }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/console/tasks/${task.taskId}?done=approve`);
    const decided = await waitForTask(task.taskId, (t) => t.decision !== null);
    expect(decided.decision).toMatchObject({ decision: "approve", via: "console", reviewer: { name: "Grace" }, reason: null });
  });

  it("refuses a rejection without a reason, and records nothing", async () => {
    const task = await createTask();
    const cookie = await signIn();
    const csrf = await csrfFrom(cookie, `/console/tasks/${task.taskId}`);
    const response = await api(`/console/tasks/${task.taskId}`, { method: "POST", headers: { cookie, origin: ORIGIN }, body: form({ csrf, decision: "reject", reason: " " }) });
    expect(response.status).toBe(400);
    expect((await getTask(task.taskId)).decision).toBeNull();
  });

  it("shows who won when the task was already decided elsewhere", async () => {
    const task = await createTask();
    expect((await decide(await decisionToken(task.taskId, "reject", { reviewer: "ada", reason: "blurry" }))).status).toBe(200);
    const cookie = await signIn();
    const csrf = await csrfFrom(cookie, `/console/tasks/${task.taskId}`);
    const response = await api(`/console/tasks/${task.taskId}`, { method: "POST", headers: { cookie, origin: ORIGIN }, body: form({ csrf, decision: "approve" }) });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("Your decision was not recorded: ada rejected this task via slack-app");
  });

  it("refuses a cross-site post (403) and a post without the session's CSRF token, and writes nothing", async () => {
    const task = await createTask();
    const cookie = await signIn();
    const csrf = await csrfFrom(cookie);
    const crossSite = await api(`/console/tasks/${task.taskId}`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
      body: form({ csrf, decision: "approve" }),
    });
    expect(crossSite.status).toBe(403);
    const noToken = await api(`/console/tasks/${task.taskId}`, { method: "POST", headers: { cookie, origin: ORIGIN }, body: form({ decision: "approve" }) });
    expect(noToken.status).toBe(403);
    const otherSession = await csrfFrom(await signIn("Other"));
    const wrongToken = await api(`/console/tasks/${task.taskId}`, { method: "POST", headers: { cookie, origin: ORIGIN }, body: form({ csrf: otherSession, decision: "approve" }) });
    expect(wrongToken.status).toBe(403);
    expect((await getTask(task.taskId)).decision).toBeNull();
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
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    const again = await api(`/console/tasks/${task.taskId}/live`, { headers: { cookie, "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("refuses a reason longer than 500 characters", async () => {
    const task = await createTask();
    const cookie = await signIn();
    const csrf = await csrfFrom(cookie, `/console/tasks/${task.taskId}`);
    const response = await api(`/console/tasks/${task.taskId}`, { method: "POST", headers: { cookie, origin: ORIGIN }, body: form({ csrf, decision: "reject", reason: "x".repeat(501) }) });
    expect(response.status).toBe(400);
    expect((await getTask(task.taskId)).decision).toBeNull();
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
    const response = await api("/console/sign-out", { method: "POST", headers: { cookie, origin: ORIGIN }, body: form({ csrf: await csrfFrom(cookie) }) });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/sign-in");
    expect(response.headers.get("set-cookie")).toMatch(/^greenlight_console=;.*Max-Age=0/);
  });
});
