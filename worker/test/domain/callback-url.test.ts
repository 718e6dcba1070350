// SSRF rules for callback URLs, across every spelling of the addresses they refuse.
import { describe, expect, it } from "vitest";
import { checkCallbackUrl } from "../../src/domain/callback-url.ts";

const production = { allowLoopback: false };
const local = { allowLoopback: true };

describe("checkCallbackUrl", () => {
  it.each([
    "https://client.example.com/hooks/greenlight",
    "https://93.184.215.14:8443/hook",
    "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook",
  ])("accepts the public https URL %s", (url) => {
    expect(checkCallbackUrl(url, production)).toMatchObject({ ok: true });
  });

  it.each([
    ["loopback", "https://127.0.0.1/hook"],
    ["short loopback", "https://127.1/hook"],
    ["decimal loopback", "https://2130706433/hook"],
    ["hex loopback", "https://0x7f000001/hook"],
    ["octal loopback", "https://0177.0.0.1/hook"],
    ["IPv6 loopback", "https://[::1]/hook"],
    ["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/hook"],
    ["localhost", "https://localhost/hook"],
    ["LOCALHOST with a trailing dot", "https://LOCALHOST./hook"],
    ["a .localhost name", "https://api.localhost/hook"],
  ])("refuses %s when loopback is not allowed", (_, url) => {
    expect(checkCallbackUrl(url, production)).toEqual({ ok: false, reason: "callbackUrl points at this machine (loopback)." });
  });

  it.each([
    ["10/8", "https://10.1.2.3/"],
    ["172.16/12", "https://172.31.255.255/"],
    ["192.168/16", "https://192.168.0.10/"],
    ["link-local metadata", "https://169.254.169.254/"],
    ["metadata, decimal", "https://2852039166/"],
    ["metadata, hex", "https://0xA9FEA9FE/"],
    ["metadata, octal", "https://0251.0376.0251.0376/"],
    ["metadata, mixed", "https://169.254.0xa9fe/"],
    ["carrier-grade NAT", "https://100.100.100.200/"],
    ["multicast", "https://239.1.1.1/"],
    ["broadcast", "https://255.255.255.255/"],
    ["unspecified", "https://0.0.0.0/"],
    ["IPv6 unspecified", "https://[::]/"],
    ["IPv6 unique local", "https://[fc00::1]/"],
    ["IPv6 metadata (unique local)", "https://[fd00:ec2::254]/"],
    ["IPv6 link-local", "https://[fe80::1]/"],
    ["IPv6 multicast", "https://[ff05::1]/"],
    ["IPv4-mapped private", "https://[::ffff:192.168.1.1]/"],
    ["IPv4-mapped metadata, hex form", "https://[::ffff:a9fe:a9fe]/"],
    ["NAT64 of a private address", "https://[64:ff9b::a00:1]/"],
  ])("refuses %s whatever the settings", (_, url) => {
    for (const policy of [production, local]) {
      const result = checkCallbackUrl(url, policy);
      expect(result.ok).toBe(false);
    }
  });

  it.each([
    ["userinfo", "https://user:secret@example.com/", "callbackUrl must not contain a user name or password."],
    ["a bare user name", "https://user@example.com/", "callbackUrl must not contain a user name or password."],
    ["plain http", "http://example.com/", "callbackUrl must use https (plain http is only for loopback in development)."],
    ["another scheme", "file:///etc/passwd", "callbackUrl must use https."],
    ["a metadata name", "https://metadata.google.internal/", "callbackUrl points at a cloud metadata service."],
    ["a single-label name", "https://intranet/", "callbackUrl must name a public host."],
    ["a relative URL", "/hooks", "callbackUrl is not an absolute URL."],
  ])("refuses %s with a clear reason", (_, url, reason) => {
    expect(checkCallbackUrl(url, local)).toEqual({ ok: false, reason });
  });

  it("refuses URLs longer than 2048 characters", () => {
    expect(checkCallbackUrl(`https://example.com/${"a".repeat(2048)}`, production).ok).toBe(false);
  });

  it("accepts plain http to loopback, in every spelling, only when loopback is allowed", () => {
    for (const url of ["http://127.0.0.1:8080/hook", "http://localhost:3000/", "http://[::1]:9000/", "http://2130706433/"]) {
      expect(checkCallbackUrl(url, local)).toMatchObject({ ok: true });
      expect(checkCallbackUrl(url, production).ok).toBe(false);
    }
  });
});
