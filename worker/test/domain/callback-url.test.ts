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
    ["loopback with a trailing dot", "https://127.0.0.1./hook"],
    ["localhost with two trailing dots", "https://localhost../hook"],
    ["IPv4-mapped loopback, hex form", "https://[::ffff:7f00:1]/hook"],
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

  it.each([
    ["an ordinary name", "https://api.acme.io/hooks"],
    ["a name with corp inside a label", "https://hooks.acme-corp.com/greenlight"],
    ["internal and local as subdomains, not suffixes", "https://internal.local-weather.io/hook"],
    ["a version number with three parts", "https://release-1-0-0.acme.io/hook"],
    ["punycode, whose -- is not IPv6", "https://xn--bcher-kva.ch/hook"],
    ["8 hex digits outside a wildcard-DNS service", "https://f3a8b2c1.client.pages.dev/hook"],
    ["a wildcard-DNS name for a public address", "https://8.8.8.8.nip.io/hook"],
    ["a dashed wildcard-DNS name for a public address", "https://app-1-1-1-1.sslip.io/hook"],
    ["a hex wildcard-DNS name for a public address", "https://08080808.nip.io/hook"],
    ["a public IPv6 address", "https://[2606:4700:4700::1111]/hook"],
    ["an IPv4-mapped public address", "https://[::ffff:8.8.8.8]/hook"],
  ])("accepts %s whatever the settings", (_, url) => {
    for (const policy of [production, local]) {
      expect(checkCallbackUrl(url, policy)).toMatchObject({ ok: true });
    }
  });

  const wraps = (range: string) => `callbackUrl uses an IPv6 address that wraps an IPv4 address (${range}).`;
  const spells = (address: string, range: string) =>
    `callbackUrl spells ${address} (${range}) in its host name, which wildcard DNS resolves to that address.`;
  const loopbackAlias = "callbackUrl names a public DNS alias for this machine (loopback).";
  const privateName = "callbackUrl names a host that only a private network can resolve.";
  const reservedName = "callbackUrl names a reserved domain that never resolves on the public internet.";
  const metadata = "callbackUrl points at a cloud metadata service.";

  it.each([
    ["IPv4-compatible loopback", "https://[::7f00:1]/", wraps("ipv4Compatible")],
    ["IPv4-compatible metadata", "https://[::a9fe:a9fe]/", wraps("ipv4Compatible")],
    ["IPv4-compatible private, dotted", "https://[::10.0.0.1]/", wraps("ipv4Compatible")],
    ["IPv4-compatible public", "https://[::8.8.8.8]/", wraps("ipv4Compatible")],
    ["NAT64 of loopback", "https://[64:ff9b::127.0.0.1]/", wraps("rfc6052")],
    ["NAT64 of a public address", "https://[64:ff9b::808:808]/", wraps("rfc6052")],
    ["local-use NAT64 of metadata", "https://[64:ff9b:1::a9fe:a9fe]/", wraps("rfc6052")],
    ["SIIT IPv4-translated private", "https://[::ffff:0:a00:1]/", wraps("rfc6145")],
    ["6to4 of metadata", "https://[2002:a9fe:a9fe::1]/", wraps("6to4")],
    ["6to4 of a public address", "https://[2002:808:808::1]/", wraps("6to4")],
    ["Teredo", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", wraps("teredo")],
    ["IPv6 outside global unicast", "https://[4000::1]/", "callbackUrl points at a non-public address (unallocated)."],
    ["IPv4-mapped metadata", "https://[::ffff:169.254.169.254]/", "callbackUrl points at a non-public address (linkLocal)."],
  ])("refuses %s whatever the settings, saying why", (_, url, reason) => {
    for (const policy of [production, local]) {
      expect(checkCallbackUrl(url, policy)).toEqual({ ok: false, reason });
    }
  });

  it.each([
    ["metadata, dotted", "https://169.254.169.254.nip.io/", spells("169.254.169.254", "linkLocal")],
    ["private, dotted under a prefix", "https://app.10.0.0.1.nip.io/", spells("10.0.0.1", "private")],
    ["private, dashed", "https://10-0-0-1.sslip.io/", spells("10.0.0.1", "private")],
    ["loopback, dashed under a prefix", "https://app-127-0-0-1.nip.io/", spells("127.0.0.1", "loopback")],
    ["loopback, hex", "https://7f000001.nip.io/", spells("127.0.0.1", "loopback")],
    ["metadata, hex under a prefix", "https://app-a9fea9fe.nip.io/", spells("169.254.169.254", "linkLocal")],
    ["private, dots and dashes mixed", "https://app-192-168.0-1.nip.io/", spells("192.168.0.1", "private")],
    ["private, with leading zeros read as decimal", "https://010.000.000.001.nip.io/", spells("10.0.0.1", "private")],
    ["private, on xip.io", "https://10.0.0.1.xip.io/", spells("10.0.0.1", "private")],
    ["private, upper case with a trailing dot", "https://APP.10.0.0.1.NIP.IO./", spells("10.0.0.1", "private")],
    ["carrier-grade NAT, after a public address", "https://8.8.8.8.100.64.0.1.nip.io/", spells("100.64.0.1", "carrierGradeNat")],
    ["metadata, on a domain of its own", "https://169-254-169-254.rebind.acme.dev/", spells("169.254.169.254", "linkLocal")],
    ["IPv6 loopback, dashed", "https://--1.sslip.io/", spells("::1", "loopback")],
    ["IPv6 loopback beside a public IPv4", "https://8-8-8-8.--1.sslip.io/", spells("::1", "loopback")],
    ["IPv6 unique local, dashed", "https://fd00-ec2--254.sslip.io/", spells("fd00:ec2::254", "uniqueLocal")],
    ["a rebinding pair with metadata", "https://08080808.a9fea9fe.rbndr.us/", spells("169.254.169.254", "linkLocal")],
    [
      "a wildcard-DNS name with no address",
      "https://hooks.sslip.io/",
      "callbackUrl uses a wildcard-DNS service without a public IPv4 address in its host name.",
    ],
    [
      "a wildcard-DNS name with a 0x address",
      "https://0x7f000001.nip.io/",
      "callbackUrl uses a wildcard-DNS service without a public IPv4 address in its host name.",
    ],
    ["localtest.me", "https://localtest.me/", loopbackAlias],
    ["a name under localtest.me", "https://app.localtest.me/", loopbackAlias],
    ["lvh.me", "https://lvh.me/", loopbackAlias],
    ["a name under lvh.me, upper case with a trailing dot", "https://API.LVH.ME./", loopbackAlias],
    ["vcap.me", "https://vcap.me/", loopbackAlias],
    ["a name under vcap.me", "https://api.vcap.me/", loopbackAlias],
  ])("refuses a name that resolves to a non-public address, %s, whatever the settings", (_, url, reason) => {
    for (const policy of [production, local]) {
      expect(checkCallbackUrl(url, policy)).toEqual({ ok: false, reason });
    }
  });

  it.each([
    ["localhost.localdomain", "https://localhost.localdomain/", privateName],
    ["a .localdomain name", "https://printer.localdomain/", privateName],
    ["a .local name", "https://nas.local/", privateName],
    ["a .local name with a trailing dot", "https://NAS.LOCAL./", privateName],
    ["a .internal name", "https://api.internal/", privateName],
    ["host.docker.internal", "https://host.docker.internal/", privateName],
    ["host.docker.internal, upper case with a trailing dot", "https://HOST.DOCKER.INTERNAL./", privateName],
    ["a Kubernetes .svc name", "https://payments.default.svc/", privateName],
    ["a Kubernetes .cluster.local name", "https://payments.default.svc.cluster.local/", privateName],
    ["a .lan name", "https://router.lan/", privateName],
    ["a .home name", "https://router.home/", privateName],
    ["a .home.arpa name", "https://nas.home.arpa/", privateName],
    ["a .intranet name", "https://wiki.intranet/", privateName],
    ["a .corp name", "https://erp.corp/", privateName],
    ["a .private name", "https://vault.private/", privateName],
    ["a .test name", "https://hooks.test/", reservedName],
    ["a .test name with a trailing dot", "https://hooks.test./", reservedName],
    ["an .invalid name", "https://hooks.invalid/", reservedName],
    ["an .example name", "https://hooks.example/", reservedName],
    ["an .onion name", "https://hooks.onion/", reservedName],
    ["an .alt name", "https://hooks.alt/", reservedName],
    ["the AWS metadata name", "https://instance-data.ec2.internal/", metadata],
  ])("refuses %s, a name only a private network resolves, whatever the settings", (_, url, reason) => {
    for (const policy of [production, local]) {
      expect(checkCallbackUrl(url, policy)).toEqual({ ok: false, reason });
    }
  });

  it("counts only localhost names and loopback addresses as loopback, not names public DNS points there", () => {
    for (const url of ["http://127.0.0.1.nip.io:8080/", "http://lvh.me:3000/", "http://[::7f00:1]:9000/"]) {
      expect(checkCallbackUrl(url, local).ok).toBe(false);
    }
  });

  it("accepts plain http to loopback, in every spelling, only when loopback is allowed", () => {
    for (const url of ["http://127.0.0.1:8080/hook", "http://localhost:3000/", "http://[::1]:9000/", "http://2130706433/"]) {
      expect(checkCallbackUrl(url, local)).toMatchObject({ ok: true });
      expect(checkCallbackUrl(url, production).ok).toBe(false);
    }
  });
});
