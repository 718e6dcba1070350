// The sign-in and upload forms, and the console's HTML error page.
import { html } from "hono/html";
import type { Html } from "./layout.ts";

export const signInForm = (error: string | null): Html => html`<h1>Sign in to review</h1>
${error ? html`<p class="notice error" role="alert">${error}</p>` : ""}
<form method="post" action="/console/sign-in" class="stack">
  <label for="token">Reviewer token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required>
  <label for="name">Your name (shown on your decisions)</label>
  <input id="name" name="name" type="text" autocomplete="name" maxlength="100" required>
  <button type="submit">Sign in</button>
</form>`;

export const uploadForm = (csrf: string, error: string | null): Html => html`<h1>Upload an image</h1>
${error ? html`<p class="notice error" role="alert">${error}</p>` : ""}
<form method="post" action="/console/upload" enctype="multipart/form-data" class="stack">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="image">Image (PNG, JPEG, GIF or WebP)</label>
  <input id="image" name="image" type="file" accept="image/png,image/jpeg,image/gif,image/webp" required>
  <label for="metadata">Metadata (optional JSON object)</label>
  <textarea id="metadata" name="metadata" rows="2" placeholder='{"order": 42}'></textarea>
  <button type="submit">Upload</button>
</form>`;

export const errorMessage = (heading: string, message: string): Html => html`<h1>${heading}</h1>
<p class="notice error" role="alert">${message}</p>
<p><a href="/console">Back to the queue</a></p>`;
