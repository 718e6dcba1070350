// Sign-in: the reviewer token, and the name a reviewer's decisions will carry, start a console session.
import { Hono } from "hono";
import { matchesAnySecret } from "../../domain/secure-compare.ts";
import { throttleAuthAttempt } from "../../middleware/auth.ts";
import { signInForm } from "../forms-view.ts";
import { page } from "../layout.ts";
import { type ConsoleEnv, startSession } from "../session.ts";

export const signIn = new Hono<ConsoleEnv>();

signIn.get("/", (c) => c.html(page("Sign in", signInForm(null))));

signIn.post("/", async (c) => {
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
