// The review console: server-rendered pages at /console, signed in with the reviewer token. One sub-app per part
// (under console/routes/), mounted in order: what comes before requireSession() is open, what comes after needs a session.
import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { limitConsoleBody } from "../console/body-limit.ts";
import { errorMessage } from "../console/forms-view.ts";
import { page, shell } from "../console/layout.ts";
import { assets } from "../console/routes/assets.ts";
import { bulk } from "../console/routes/bulk.ts";
import { dashboard } from "../console/routes/dashboard.ts";
import { queue } from "../console/routes/queue.ts";
import { review } from "../console/routes/review.ts";
import { sessions } from "../console/routes/sessions.ts";
import { signIn } from "../console/routes/sign-in.ts";
import { task } from "../console/routes/task.ts";
import { upload } from "../console/routes/upload.ts";
import { type ConsoleEnv, requireSession } from "../console/session.ts";
import { AppError } from "../errors.ts";

export const consoleRoutes = new Hono<ConsoleEnv>();

// Origin / Sec-Fetch-Site check on every form post; the session-bound token (requireSession) is the second lock.
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
consoleRoutes.route("/assets", assets);
// Every body is bounded before anything parses it, sign-in's and the session check's CSRF lookup included.
consoleRoutes.use(limitConsoleBody());
consoleRoutes.route("/sign-in", signIn);

// Every page below needs a living session; a post also needs the session's CSRF token.
consoleRoutes.use(requireSession());
consoleRoutes.route("/", sessions);
consoleRoutes.route("/", queue);
consoleRoutes.route("/tasks", task);
consoleRoutes.route("/review", review);
consoleRoutes.route("/bulk", bulk);
consoleRoutes.route("/upload", upload);
consoleRoutes.route("/dashboard", dashboard);
consoleRoutes.all("*", (c) => c.html(shell(c, "Not found", errorMessage("Not found", "There is no console page here.")), 404));

// Console pages answer errors in HTML; the JSON envelope stays with the API.
consoleRoutes.onError((error, c) => {
  if (error instanceof HTTPException && error.status === 403) {
    return c.html(
      page("Refused", errorMessage("Refused", "This form was not sent from a Greenlight console page. Nothing was changed.")),
      403,
    );
  }
  if (error instanceof AppError && error.status === 404) return c.html(page("Not found", errorMessage("Not found", error.message)), 404);
  if (error instanceof AppError && error.status < 500) {
    return c.html(page("Error", errorMessage("Not possible", error.message)), error.status as 400, error.headers);
  }
  if (error instanceof HTTPException && error.status < 500) return c.html(page("Error", errorMessage("Bad request", error.message)), 400);
  console.error(JSON.stringify({ event: "unhandled_error", path: c.req.path, error: String(error), stack: error.stack }));
  return c.html(page("Error", errorMessage("Something went wrong", "Something went wrong on our side.")), 500);
});
