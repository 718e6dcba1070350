// SSRF rules for client callback URLs: which addresses Greenlight will ever POST to.
import ipaddr from "ipaddr.js";

export type CallbackUrlPolicy = { allowLoopback: boolean };

export type CallbackUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export const MAX_CALLBACK_URL_LENGTH = 2048;

// Names that resolve to the machine itself or to cloud metadata services, whatever DNS says.
const LOOPBACK_NAME = /(^|\.)localhost\.?$/i;
const METADATA_NAME = /^(metadata|metadata\.google\.internal|instance-data(\.ec2\.internal)?)\.?$/i;

/**
 * Accepts only https URLs to public unicast addresses (plain http only to loopback, when allowed).
 * The WHATWG URL parser has already turned decimal, octal and hex IPv4 spellings into dotted quads,
 * and IPv6 into its canonical form, so every spelling of an address meets the same range check.
 */
export function checkCallbackUrl(raw: string, policy: CallbackUrlPolicy): CallbackUrlCheck {
  if (raw.length > MAX_CALLBACK_URL_LENGTH) return refuse("is longer than 2048 characters");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("is not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return refuse("must use https");
  if (url.username || url.password) return refuse("must not contain a user name or password");

  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const range = addressRange(host);
  const loopback = range === "loopback" || (range === undefined && LOOPBACK_NAME.test(host));

  if (loopback) {
    if (!policy.allowLoopback) return refuse("points at this machine (loopback)");
    return { ok: true, url };
  }
  if (url.protocol !== "https:") return refuse("must use https (plain http is only for loopback in development)");
  if (range !== undefined && range !== "unicast") return refuse(`points at a ${range} address`);
  if (range === undefined) {
    if (METADATA_NAME.test(host)) return refuse("points at a cloud metadata service");
    if (!host.includes(".")) return refuse("must name a public host");
  }
  return { ok: true, url };
}

/** The ipaddr.js range of an IP literal (IPv4-mapped IPv6 judged as its IPv4), or undefined for a name. */
function addressRange(host: string): string | undefined {
  if (!ipaddr.isValid(host)) return undefined;
  let address = ipaddr.parse(host);
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  return address.range();
}

const refuse = (reason: string): CallbackUrlCheck => ({ ok: false, reason: `callbackUrl ${reason}.` });
