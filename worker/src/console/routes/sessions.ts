// Signing out, and the Sessions page: every living console session, ending any one of them, or all.
import { Hono } from "hono";
import { listConsoleSessions } from "../../services/console-sessions.ts";
import { shell } from "../layout.ts";
import { type ConsoleEnv, endAllSessions, endSession } from "../session.ts";
import { sessionsPage } from "../sessions-view.ts";

export const sessions = new Hono<ConsoleEnv>();

sessions.post("/sign-out", async (c) => {
  await endSession(c, c.var.session.sid);
  return c.redirect("/console/sign-in", 303);
});

sessions.get("/sessions", async (c) => {
  const now = Date.now();
  const notice = c.req.query("ended") === "1" ? "That session has ended." : null;
  return c.html(shell(c, "Sessions", sessionsPage(await listConsoleSessions(c.env, now), c.var.session.sid, c.var.csrf, now, notice)));
});

sessions.post("/sessions/revoke-all", async (c) => {
  await endAllSessions(c);
  return c.redirect("/console/sign-in", 303);
});

sessions.post("/sessions/:sid/revoke", async (c) => {
  const own = await endSession(c, c.req.param("sid"));
  return c.redirect(own ? "/console/sign-in" : "/console/sessions?ended=1", 303);
});
