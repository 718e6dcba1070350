// Outbound HTTP to client callback URLs: one signed attempt, no redirects, a hard timeout.
import { type CallbackMessage, signCallbackMessage } from "../domain/callback-event.ts";
import type { CallbackResponse } from "../domain/delivery-attempt.ts";

export const CALLBACK_TIMEOUT_MS = 10_000;

export async function deliverCallback(url: string, secrets: readonly string[], message: CallbackMessage): Promise<CallbackResponse> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Greenlight-Webhooks/1", ...signCallbackMessage(secrets, message) },
      body: message.body,
      // A redirect could point anywhere, including past the SSRF rules the URL was checked against.
      redirect: "manual",
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return { status: response.status };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError") return { status: null, error: "timed out after 10 s" };
    return { status: null, error: `network error: ${error instanceof Error ? error.message : String(error)}` };
  }
}
