// The Sessions page: every living console session, a way to end any one of them, and to end them all.
import { html } from "hono/html";
import type { ConsoleSession } from "../services/console-sessions.ts";
import { age, timeLeft, when } from "./format.ts";
import type { Html } from "./layout.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function sessionsPage(sessions: ConsoleSession[], currentSid: string, csrf: string, now: number, notice: string | null): Html {
  return html`<h1>Sessions</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
<p>Everyone signed in to this console, newest first. Ending a session signs that browser out at its next request.</p>
<div class="scroll"><table class="sessions">
  <thead><tr><th scope="col">Name</th><th scope="col">Started</th><th scope="col">Last seen</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
  <tbody>
${sessions.map(
  (session) => html`    <tr data-session="${session.sid}">
      <td>${session.name}${session.sid === currentSid ? html` <strong>(this session)</strong>` : ""}</td>
      <td>${when(iso(session.startedAt))}</td>
      <td>${age(iso(session.lastSeenAt), now)}</td>
      <td>${when(iso(session.expiresAt))} (${timeLeft(iso(session.expiresAt), now)})</td>
      <td><form method="post" action="/console/sessions/${session.sid}/revoke"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">${session.sid === currentSid ? "Sign out" : html`End session<span class="visually-hidden"> of ${session.name}</span>`}</button></form></td>
    </tr>`,
)}
  </tbody>
</table></div>
<h2>Sign out everywhere</h2>
<p>Ends every session above, yours included. If the reviewer token may have leaked, rotate it as well: whoever holds it can sign in again.</p>
<form method="post" action="/console/sessions/revoke-all"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="reject">Sign out everywhere</button></form>`;
}
