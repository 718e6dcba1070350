// Outbound HTTP to client callback URLs: one signed attempt, no redirects, a hard timeout.
import { type CallbackMessage, signCallbackMessage } from "../domain/callback-event.ts";

export const CALLBACK_TIMEOUT_MS = 10_000;

export type DeliveryResult = { ok: true; status: number } | { ok: false; error: string };

export async function deliverCallback(url: string, secret: string, message: CallbackMessage): Promise<DeliveryResult> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Greenlight-Webhooks/1", ...signCallbackMessage(secret, message) },
      body: message.body,
      // A redirect could point anywhere, including past the SSRF rules the URL was checked against.
      redirect: "manual",
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError") return { ok: false, error: "timed out after 10 s" };
    return { ok: false, error: `network error: ${error instanceof Error ? error.message : String(error)}` };
  }
}
