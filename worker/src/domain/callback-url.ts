// SSRF rules for client callback URLs: which URLs Greenlight will ever POST to.
import { judgeCallbackHost } from "./callback-host.ts";

export type CallbackUrlPolicy = { allowLoopback: boolean };

export type CallbackUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export const MAX_CALLBACK_URL_LENGTH = 2048;

/**
 * Accepts only https URLs to public hosts (plain http only to loopback, when allowed).
 * The WHATWG URL parser has already turned decimal, octal and hex IPv4 spellings into dotted quads, IPv6 into its
 * canonical form and names into lower case, so every spelling of a host meets the same rules (see callback-host.ts).
 * Image URLs the MCP server fetches meet the same rules; `field` names the URL in the reason.
 */
export function checkCallbackUrl(raw: string, policy: CallbackUrlPolicy, field = "callbackUrl"): CallbackUrlCheck {
  const refuse = (reason: string): CallbackUrlCheck => ({ ok: false, reason: `${field} ${reason}.` });
  if (raw.length > MAX_CALLBACK_URL_LENGTH) return refuse("is longer than 2048 characters");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("is not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return refuse("must use https");
  if (url.username || url.password) return refuse("must not contain a user name or password");

  const host = judgeCallbackHost(url.hostname);
  if (host.kind === "loopback") {
    if (!policy.allowLoopback) return refuse("points at this machine (loopback)");
    return { ok: true, url };
  }
  if (url.protocol !== "https:") return refuse("must use https (plain http is only for loopback in development)");
  if (host.kind === "refused") return refuse(host.reason);
  return { ok: true, url };
}
