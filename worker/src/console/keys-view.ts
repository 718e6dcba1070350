// The keyboard help that review mode and the queue open with `?`, and the region that announces what the keys did.
import { html } from "hono/html";
import type { Html } from "./layout.ts";

export type KeyHelp = [key: string, what: string];

/**
 * A native modal dialog: it traps focus while open, Escape closes it and focus goes back to what opened it. The
 * button opens it with no script (command="show-modal"); the console's script presses it for `?`.
 */
export const keysHelp = (
  keys: KeyHelp[],
): Html => html`<button type="button" class="secondary" commandfor="keys-help" command="show-modal" data-key="?" aria-keyshortcuts="?">Keys (?)</button>
<dialog id="keys-help" aria-labelledby="keys-help-title">
  <h2 id="keys-help-title">Keyboard</h2>
  <dl class="keys">${keys.map(([key, what]) => html`<dt><kbd>${key}</kbd></dt><dd>${what}</dd>`)}<dt><kbd>Esc</kbd></dt><dd>Close a dialog</dd></dl>
  <button type="button" commandfor="keys-help" command="close">Close</button>
</dialog>`;

/** Where the script announces outcomes to screen readers: empty in the markup, so each message it writes is a change. */
export const announcer = html`<div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>`;
