// The review console: server-rendered pages at /console, signed in with the reviewer token.
import { type Context, Hono } from "hono";
import { html, raw } from "hono/html";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { listSessions } from "../adapters/console-sessions.ts";
import { getTaskRecord } from "../adapters/task-store.ts";
import { limitConsoleBody } from "../console/body-limit.ts";
import { errorMessage, signInForm, uploadForm } from "../console/forms-view.ts";
import { type Html, LIVE_SCRIPT, page, STYLE } from "../console/layout.ts";
import { etagOf, fragmentResponse } from "../console/live.ts";
import { queueList } from "../console/queue-view.ts";
import { type ConsoleEnv, endAllSessions, endSession, requireSession, startSession } from "../console/session.ts";
import { sessionsPage } from "../console/sessions-view.ts";
import { describeDecision, type Notice, taskLive, taskPage, type TaskView } from "../console/task-view.ts";
import type { DecisionClaims } from "../domain/decision-token.ts";
import { signPreviewUrl } from "../domain/preview-url.ts";
import { matchesAnySecret } from "../domain/secure-compare.ts";
import { DecisionSchema, MAX_REASON_LENGTH, TASK_ID_PATTERN } from "../domain/task.ts";
import { parseMetadata } from "../domain/upload.ts";
import { AppError, taskNotFound } from "../errors.ts";
import { throttleAuthAttempt } from "../middleware/auth.ts";
import { createTask } from "../services/create-task.ts";
import { decideTask } from "../services/decide-task.ts";
import { listReviews, reviewStatus } from "../services/reviews.ts";

const QUEUE_PAGE = 20;
const IMAGE_URL_LIFETIME_MS = 60 * 60 * 1000;

export const consoleRoutes = new Hono<ConsoleEnv>();

// Origin / Sec-Fetch-Site check on every form post; the session-bound token below is the second lock.
consoleRoutes.use(csrf());
// Styles and scripts come only from the console's own files, so injected markup could not run anything.
consoleRoutes.use(
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  }),
);

const ASSET_CACHE = "public, max-age=300";
consoleRoutes.get("/assets/console.css", (c) => c.body(STYLE, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": ASSET_CACHE }));
consoleRoutes.get("/assets/live.js", (c) => c.body(LIVE_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": ASSET_CACHE }));

// Every body is bounded before anything parses it, sign-in's and the session check's CSRF lookup included.
consoleRoutes.use(limitConsoleBody());

consoleRoutes.get("/sign-in", (c) => c.html(page("Sign in", signInForm(null))));

consoleRoutes.post("/sign-in", async (c) => {
  const form = await c.req.parseBody();
  const token = typeof form.token === "string" ? form.token : "";
  const name = typeof form.name === "string" ? form.name.trim() : "";
  // A blank field guesses nothing, so it is refused without counting against the source, as the API does.
  const valid = token !== "" && (await matchesAnySecret(token, c.var.settings.reviewerTokens));
  if (token !== "") await throttleAuthAttempt(c, valid);
  if (!valid) return c.html(page("Sign in", signInForm("That reviewer token is not valid.")), 401);
  if (name.length < 1 || name.length > 100) return c.html(page("Sign in", signInForm("Give a name of 1 to 100 characters.")), 400);
  await startSession(c, name, Date.now());
  return c.redirect("/console", 303);
});

// Every other page needs a living session; a post also needs the session's CSRF token.
consoleRoutes.use(requireSession());

const shell = (c: Context<ConsoleEnv>, title: string, body: Html) =>
  page(title, body, { signedInAs: c.var.session.name, csrf: c.var.csrf });

consoleRoutes.post("/sign-out", async (c) => {
  await endSession(c, c.var.session.sid);
  return c.redirect("/console/sign-in", 303);
});

consoleRoutes.get("/sessions", async (c) => {
  const now = Date.now();
  const notice = c.req.query("ended") === "1" ? "That session has ended." : null;
  return c.html(shell(c, "Sessions", sessionsPage(await listSessions(c.env, now), c.var.session.sid, c.var.csrf, now, notice)));
});

consoleRoutes.post("/sessions/revoke-all", async (c) => {
  await endAllSessions(c);
  return c.redirect("/console/sign-in", 303);
});

consoleRoutes.post("/sessions/:sid/revoke", async (c) => {
  const own = await endSession(c, c.req.param("sid"));
  return c.redirect(own ? "/console/sign-in" : "/console/sessions?ended=1", 303);
});

async function queueMarkup(c: Context<ConsoleEnv>, cursor: string | undefined) {
  const { items, nextCursor } = await listReviews(c.env, c.var.settings, new URL(c.req.url).origin, QUEUE_PAGE, cursor);
  const list = String(await queueList(items, Date.now()));
  return { list, nextCursor };
}

consoleRoutes.get("/", async (c) => {
  const cursor = c.req.query("cursor") || undefined;
  const { list, nextCursor } = await queueMarkup(c, cursor);
  const live = `/console/queue${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`;
  return c.html(
    shell(
      c,
      "Queue",
      html`<h1>Waiting for review</h1>
<section aria-live="polite" data-live="${live}" data-etag="${await etagOf(list)}">${raw(list)}</section>
<nav class="pager" aria-label="Pages">${cursor ? html`<a href="/console">First page</a> ` : ""}${nextCursor ? html`<a href="/console?cursor=${encodeURIComponent(nextCursor)}">Next page</a>` : ""}</nav>`,
    ),
  );
});

consoleRoutes.get("/queue", async (c) => fragmentResponse(c, (await queueMarkup(c, c.req.query("cursor") || undefined)).list));

async function loadTask(c: Context<ConsoleEnv>, taskId: string): Promise<TaskView> {
  if (!TASK_ID_PATTERN.test(taskId)) throw taskNotFound();
  const now = Date.now();
  const [record, review] = await Promise.all([getTaskRecord(c.env.TASKS, taskId), reviewStatus(c.env, taskId, now)]);
  if (!record || !review) throw taskNotFound();
  const origin = new URL(c.req.url).origin;
  const imageUrl = await signPreviewUrl(c.var.settings.decisionSecret, origin, taskId, new Date(now + IMAGE_URL_LIFETIME_MS));
  return { record, review, imageUrl };
}

async function renderTask(c: Context<ConsoleEnv>, taskId: string, notice: Notice, status = 200) {
  const view = await loadTask(c, taskId);
  const etag = await etagOf(String(await taskLive(view)));
  return c.html(shell(c, `Task ${taskId}`, taskPage(view, c.var.csrf, etag, notice)), status as 200);
}

consoleRoutes.get("/tasks/:id", async (c) => {
  const done = c.req.query("done");
  const notice: Notice = done === "approve" || done === "reject" ? { kind: "ok", text: `Your decision (${done}) was recorded.` } : null;
  return renderTask(c, c.req.param("id"), notice);
});

consoleRoutes.get("/tasks/:id/live", async (c) => fragmentResponse(c, String(await taskLive(await loadTask(c, c.req.param("id"))))));

consoleRoutes.post("/tasks/:id", async (c) => {
  const taskId = c.req.param("id");
  const form = await c.req.parseBody();
  const decision = form.decision;
  const reason = typeof form.reason === "string" ? form.reason.trim() : "";
  if (decision !== "approve" && decision !== "reject") return renderTask(c, taskId, { kind: "error", text: "Choose Approve or Reject." }, 400);
  if (decision === "reject" && (reason.length === 0 || reason.length > MAX_REASON_LENGTH)) {
    return renderTask(c, taskId, { kind: "error", text: `A rejection needs a reason of 1 to ${MAX_REASON_LENGTH} characters.` }, 400);
  }
  await loadTask(c, taskId);
  const now = new Date();
  const { name, sid } = c.var.session;
  const issuedAt = Math.floor(now.getTime() / 1000);
  const claims: DecisionClaims = {
    iss: "console",
    sub: taskId,
    decision,
    reviewer: { id: `console:${sid}`, name },
    ...(decision === "reject" ? { reason } : {}),
    jti: crypto.randomUUID(),
    iat: issuedAt,
    exp: issuedAt + 60,
  };
  try {
    await decideTask(c.env, claims, now);
  } catch (error) {
    if (!(error instanceof AppError) || error.status !== 409) throw error;
    const winner = DecisionSchema.safeParse(error.details?.decision);
    const text = winner.success
      ? `Your decision was not recorded: ${describeDecision(winner.data)}.`
      : "Your decision was not recorded: the review deadline passed first.";
    return renderTask(c, taskId, { kind: "error", text }, 409);
  }
  return c.redirect(`/console/tasks/${taskId}?done=${decision}`, 303);
});

consoleRoutes.get("/upload", (c) => c.html(shell(c, "Upload", uploadForm(c.var.csrf, null))));

consoleRoutes.post("/upload", async (c) => {
  const form = await c.req.parseBody();
  const fail = (message: string, status: number) => c.html(shell(c, "Upload", uploadForm(c.var.csrf, message)), status as 200);
  const image = form.image;
  if (!(image instanceof File) || image.size === 0) return fail("Choose an image to upload.", 400);
  if (image.size > c.var.settings.maxUploadBytes) return fail(`The image is larger than ${c.var.settings.maxUploadBytes} bytes.`, 413);
  const metadata = parseMetadata(typeof form.metadata === "string" ? form.metadata.trim() : undefined);
  if (!metadata.ok) return fail(metadata.reason, 400);
  try {
    const bytes = new Uint8Array(await image.arrayBuffer());
    const { record } = await createTask(c.env, c.var.settings, { clientId: "console", bytes, callbackUrl: null, metadata: metadata.metadata, idempotencyKey: null }, new Date());
    return c.redirect(`/console/tasks/${record.task.taskId}`, 303);
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return fail(error.message, error.status);
    throw error;
  }
});

consoleRoutes.all("*", (c) => c.html(shell(c, "Not found", errorMessage("Not found", "There is no console page here.")), 404));

// Console pages answer errors in HTML; the JSON envelope stays with the API.
consoleRoutes.onError((error, c) => {
  if (error instanceof HTTPException && error.status === 403) {
    return c.html(page("Refused", errorMessage("Refused", "This form was not sent from a Greenlight console page. Nothing was changed.")), 403);
  }
  if (error instanceof AppError && error.status === 404) return c.html(page("Not found", errorMessage("Not found", error.message)), 404);
  if (error instanceof AppError && error.status < 500) {
    return c.html(page("Error", errorMessage("Not possible", error.message)), error.status as 400, error.headers);
  }
  if (error instanceof HTTPException && error.status < 500) return c.html(page("Error", errorMessage("Bad request", error.message)), 400);
  console.error(JSON.stringify({ event: "unhandled_error", path: c.req.path, error: String(error), stack: error.stack }));
  return c.html(page("Error", errorMessage("Something went wrong", "Something went wrong on our side.")), 500);
});
