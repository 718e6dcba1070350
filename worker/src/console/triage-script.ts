// The console's keyboard triage script: review mode's keys, bulk selection on the queue page and its undo window.
// Served as /console/assets/triage.js; pages work without it (plain forms and links), it adds keys and the countdown.

export const TRIAGE_SCRIPT = `
"use strict";
const TYPING = "input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]";
// Keys that press a control marked data-key on the page: a button is clicked, a link followed, a text field focused.
const PAGE_KEYS = new Set(["a", "r", "j", "k", "u", "?"]);
const RECENT_KEY = "greenlight.recentReasons";
const RECENT_MAX = 5;

// Written a moment after the region is emptied, so a screen reader hears the same sentence twice in a row too.
function say(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 100);
}

function recentReasons() {
  try { return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]").filter((r) => typeof r === "string").slice(0, RECENT_MAX); }
  catch { return []; }
}

function rememberReason(reason) {
  const text = reason.trim();
  if (!text) return;
  try { localStorage.setItem(RECENT_KEY, JSON.stringify([text, ...recentReasons().filter((r) => r !== text)].slice(0, RECENT_MAX))); }
  catch {}
}

// Review mode's reason dialog: the last few reasons, each one key (1 to 5) away.
const rejectForm = document.getElementById("reject-form");
if (rejectForm) {
  const list = rejectForm.querySelector("[data-recent-reasons]");
  const reasons = recentReasons();
  if (reasons.length > 0) {
    const heading = document.createElement("p");
    heading.textContent = "Recent reasons: press 1 to " + reasons.length + ", or write a new one below.";
    list.append(heading);
    reasons.forEach((reason, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.dataset.reasonKey = String(index + 1);
      button.setAttribute("aria-keyshortcuts", String(index + 1));
      button.textContent = index + 1 + " · " + reason;
      button.addEventListener("click", () => { rejectForm.elements.reason.value = reason; rejectForm.requestSubmit(); });
      list.append(button);
    });
  }
  rejectForm.addEventListener("submit", () => rememberReason(rejectForm.elements.reason.value));
}

// The dialogs open and close with invoker commands (command, commandfor); a browser without them gets the same here.
if (!("commandForElement" in HTMLButtonElement.prototype)) {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[commandfor]");
    const dialog = button && document.getElementById(button.getAttribute("commandfor"));
    if (!dialog) return;
    if (button.getAttribute("command") === "show-modal") dialog.showModal();
    if (button.getAttribute("command") === "close") dialog.close();
  });
}

// A page that follows a decision says what happened; the heading takes focus so the next key acts on this page.
const notice = document.querySelector("[data-notice]");
if (notice) say(notice.textContent);
document.getElementById("review-heading")?.focus();

// Bulk mode: the queue's boxes, kept across the live region's swaps, and a decision held back for the undo window.
const bulk = document.getElementById("bulk");
const selected = new Set();
let anchor = null;
let focusedTask = null;
let focusedIndex = -1;
let countdown = null;
const rows = () => [...document.querySelectorAll("li[data-task]")].filter((row) => row.querySelector("input[name=task]"));
const boxOf = (row) => row.querySelector("input[name=task]");

function showCount() {
  const count = bulk.querySelector("[data-selected-count]");
  count.textContent = selected.size === 0 ? "No tasks selected." : selected.size + (selected.size === 1 ? " task" : " tasks") + " selected.";
}

function select(row, on) {
  boxOf(row).checked = on;
  if (on) selected.add(row.dataset.task); else selected.delete(row.dataset.task);
}

// From the last row picked to this one, all set as this one now is.
function selectRange(row) {
  const all = rows();
  const from = all.findIndex((r) => r.dataset.task === anchor);
  const to = all.indexOf(row);
  if (from === -1 || to === -1) return;
  const on = boxOf(row).checked;
  for (const r of all.slice(Math.min(from, to), Math.max(from, to) + 1)) select(r, on);
}

function picked(row, range) {
  if (range && anchor) selectRange(row); else select(row, boxOf(row).checked);
  anchor = row.dataset.task;
  showCount();
}

function moveFocus(step) {
  const all = rows();
  if (all.length === 0) return;
  const at = all.findIndex((row) => row.contains(document.activeElement));
  const next = all[at === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step))];
  boxOf(next).focus();
}

if (bulk) {
  document.addEventListener("change", (event) => {
    const row = event.target.matches("input[name=task]") && event.target.closest("li[data-task]");
    if (row) picked(row, false);
  });
  document.addEventListener("click", (event) => {
    const row = event.shiftKey && event.target.matches("input[name=task]") && event.target.closest("li[data-task]");
    if (row) { selectRange(row); anchor = row.dataset.task; showCount(); }
  });
  document.addEventListener("focusin", (event) => {
    const row = event.target.closest("li[data-task]");
    if (row) { focusedTask = row.dataset.task; focusedIndex = rows().indexOf(row); }
  });
  // The live script replaced the list: tick the boxes again, forget tasks that left, and give focus back where it was.
  document.addEventListener("live-update", () => {
    const all = rows();
    const present = new Set(all.map((row) => row.dataset.task));
    for (const taskId of [...selected]) if (!present.has(taskId)) selected.delete(taskId);
    for (const row of all) boxOf(row).checked = selected.has(row.dataset.task);
    showCount();
    if (focusedTask && (document.activeElement === document.body || !document.activeElement)) {
      const row = all.find((r) => r.dataset.task === focusedTask) || all[Math.min(focusedIndex, all.length - 1)];
      if (row) boxOf(row).focus();
    }
  });
  bulk.addEventListener("submit", (event) => {
    event.preventDefault();
    if (countdown) return;
    const submitter = event.submitter;
    const data = new FormData(bulk, submitter);
    const tasks = data.getAll("task");
    const decision = data.get("decision");
    if (tasks.length === 0) { say("Select at least one task first."); return; }
    if (decision === "reject" && !String(data.get("reason") || "").trim()) {
      say("A rejection needs a reason.");
      bulk.elements.reason.focus();
      return;
    }
    if (decision === "reject") rememberReason(String(data.get("reason")));
    hold(data, tasks.length, decision === "reject" ? "Rejecting" : "Approving", submitter);
  });
}

// Nothing is sent until the window ends; Undo (or u) before then sends nothing at all.
function hold(data, count, doing, submitter) {
  const status = document.getElementById("bulk-status");
  let left = Number(bulk.dataset.undoSeconds);
  const what = doing + " " + count + (count === 1 ? " task" : " tasks");
  status.innerHTML = "";
  const line = document.createElement("p");
  const seconds = document.createElement("span");
  seconds.dataset.countdown = "";
  seconds.setAttribute("aria-hidden", "true");
  seconds.textContent = left;
  line.append(what + " in ", seconds, " s. ");
  const undo = document.createElement("button");
  undo.type = "button";
  undo.textContent = "Undo (u)";
  undo.dataset.key = "u";
  undo.setAttribute("aria-keyshortcuts", "u");
  line.append(undo);
  status.append(line);
  say(what + " in " + left + " seconds. Press u to undo.");
  undo.focus();
  const stop = () => { clearInterval(countdown); countdown = null; };
  undo.addEventListener("click", () => {
    stop();
    status.textContent = "Undone: nothing was sent.";
    say("Undone: nothing was sent.");
    submitter?.focus();
  });
  countdown = setInterval(() => {
    left -= 1;
    seconds.textContent = left;
    if (left > 0) return;
    stop();
    status.textContent = what + "…";
    send(data, status);
  }, 1000);
}

async function send(data, status) {
  try {
    const response = await fetch(bulk.action, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" });
    if (response.redirected) { location.assign(response.url); return; }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const results = page.getElementById("bulk-results");
    if (!response.ok || !results) {
      const problem = page.querySelector(".notice")?.textContent || "The decisions could not be sent.";
      status.textContent = problem;
      say(problem);
      return;
    }
    status.replaceChildren(document.importNode(results, true));
    for (const li of results.querySelectorAll("li[data-task]")) selected.delete(li.dataset.task);
    for (const row of rows()) boxOf(row).checked = selected.has(row.dataset.task);
    showCount();
    const counts = {};
    for (const li of results.querySelectorAll("li[data-outcome]")) counts[li.dataset.outcome] = (counts[li.dataset.outcome] || 0) + 1;
    const words = { decided: "decided", already_decided: "already decided by someone else", expired: "expired", withdrawn: "deleted", not_found: "not found" };
    say(Object.entries(counts).map(([outcome, n]) => n + " " + (words[outcome] || outcome)).join(", ") + ".");
  } catch {
    status.textContent = "The decisions could not be sent: the console did not answer.";
    say(status.textContent);
  }
}

document.addEventListener("keydown", (event) => {
  const target = event.target;
  // Ctrl+Enter (or Cmd+Enter) in a reason field presses its Reject button.
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && target.dataset?.ctrlEnter) {
    event.preventDefault();
    document.getElementById(target.dataset.ctrlEnter)?.click();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || target.closest?.(TYPING)) return;
  // An open dialog keeps its keys: Escape closes it (natively), 1 to 5 pick a recent reason in the reject dialog.
  const dialog = document.querySelector("dialog[open]");
  if (dialog) {
    const reason = /^[1-5]$/.test(event.key) && dialog.querySelector("[data-reason-key='" + event.key + "']");
    if (reason) { event.preventDefault(); reason.click(); }
    return;
  }
  if (bulk && (event.key === "j" || event.key === "k")) { event.preventDefault(); moveFocus(event.key === "j" ? 1 : -1); return; }
  if (bulk && (event.key === "x" || event.key === "X")) {
    const row = target.closest?.("li[data-task]");
    if (!row) return;
    event.preventDefault();
    boxOf(row).checked = !boxOf(row).checked;
    picked(row, event.key === "X");
    say((boxOf(row).checked ? "Selected " : "Unselected ") + row.dataset.task + ". " + bulk.querySelector("[data-selected-count]").textContent);
    return;
  }
  const control = PAGE_KEYS.has(event.key) && document.querySelector("[data-key='" + event.key + "']");
  if (!control) return;
  event.preventDefault();
  if (control.matches(TYPING)) control.focus(); else control.click();
});
`;
