// SSRF rules for a callback URL's host: public, this machine (loopback), or somewhere Greenlight must never call.
import ipaddr from "ipaddr.js";

export type HostVerdict = { kind: "public" } | { kind: "loopback" } | { kind: "refused"; reason: string };

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const PUBLIC: HostVerdict = { kind: "public" };
const LOOPBACK: HostVerdict = { kind: "loopback" };
const refused = (reason: string): HostVerdict => ({ kind: "refused", reason });

// IPv6 space that ipaddr.js leaves as "unicast" although no public host can hold it.
const EXTRA_IPV6_RANGES: Record<string, [ipaddr.IPv6, number][]> = {
  // ::/96 is "IPv4-compatible" (RFC 4291 §2.5.5.1, deprecated): [::7f00:1] carries 127.0.0.1, and a stack that still
  // does automatic tunnelling (RFC 2893) sends it to that IPv4 address. ipaddr.js names only :: and ::1 in it.
  ipv4Compatible: [ipaddr.IPv6.parseCIDR("::/96")],
  // IANA has allocated only 2000::/3 for global unicast; an address outside it cannot name a public host.
  unallocated: ["::/3", "4000::/2", "8000::/1"].map((cidr) => ipaddr.IPv6.parseCIDR(cidr)),
};

// IPv6 forms that wrap an IPv4 address for a translator or relay to reach: IPv4-compatible, NAT64 (RFC 6052, 8215),
// SIIT (RFC 6145), 6to4 (RFC 3056) and Teredo (RFC 4380). Where they lead depends on gateways Greenlight cannot see,
// and a public endpoint can always be given by its IPv4 address, so they are refused rather than unwrapped.
// (IPv4-mapped ::ffff:0:0/96 is different: stacks hand it to IPv4 directly, so it is judged as its IPv4 address.)
const IPV4_WRAPPING_RANGES = new Set(["ipv4Compatible", "rfc6052", "rfc6145", "6to4", "teredo"]);

// Names judged by their spelling, first match wins. "*.x" matches the names under x; a bare name matches only itself.
const NAME_RULES: { names: string[]; verdict: HostVerdict }[] = [
  // RFC 6761 §6.3: localhost and the names under it are this machine, answered without asking DNS.
  { names: ["localhost", "*.localhost"], verdict: LOOPBACK },
  // Inside a cloud these names reach the instance metadata service (GCP, AWS), and its credentials.
  {
    names: ["metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"],
    verdict: refused("points at a cloud metadata service"),
  },
  // Public DNS points these, and every name under them, at 127.0.0.1 for local development. The answer comes from
  // someone else's zone, not from RFC 6761, so they are refused even where loopback is allowed.
  {
    names: ["localtest.me", "*.localtest.me", "lvh.me", "*.lvh.me", "vcap.me", "*.vcap.me"],
    verdict: refused("names a public DNS alias for this machine (loopback)"),
  },
  // Private-use names, resolved only by a local network's own DNS, mDNS or container runtime: .local (mDNS, RFC 6762,
  // and Kubernetes' cluster.local), .svc (Kubernetes services), .home.arpa (RFC 8375), .internal (set aside by ICANN
  // for private use; host.docker.internal), and by convention .localdomain, .lan, .home, .intranet, .corp, .private.
  {
    names: ["*.local", "*.svc", "*.home.arpa", "*.internal", "*.localdomain", "*.lan", "*.home", "*.intranet", "*.corp", "*.private"],
    verdict: refused("names a host that only a private network can resolve"),
  },
  // Special-use names that never resolve on the public internet: RFC 2606 and RFC 6761 (.test, .invalid, .example),
  // RFC 7686 (.onion) and RFC 9476 (.alt).
  {
    names: ["*.test", "*.invalid", "*.example", "*.onion", "*.alt"],
    verdict: refused("names a reserved domain that never resolves on the public internet"),
  },
];

// Wildcard-DNS services answer a name with the address spelled inside it. nip.io and sslip.io read an IPv4 address as
// four numbers joined by dots or dashes (app.10.0.0.1.nip.io, app-10-0-0-1.sslip.io) and sslip.io reads IPv6 with
// dashes for colons (--1.sslip.io is ::1). Anyone can serve such answers under a domain of their own (sslip.io offers
// it), so those spellings are read in every name. Under the services listed here Greenlight also reads 8 hex digits
// (7f000001.nip.io; rbndr.us alternates between two), and refuses a name that spells no public IPv4 address, since
// how the service reads it is up to the service. Elsewhere 8 hex digits are too often an id, such as a preview
// deployment's, to be taken for an address.
const WILDCARD_DNS_SERVICES = ["*.nip.io", "*.sslip.io", "*.xip.io", "*.rbndr.us"];

const DECIMAL_OCTET = /^(?:25[0-5]|2[0-4]\d|[01]?\d?\d)$/;
const HEX_IPV4 = /^[0-9a-f]{8}$/;
// An IPv6 address written with dashes splits into 9 ("1-2-3-4-5-6-7--") to 3 ("--1") dash-separated parts; the
// longest reading comes first, so a refusal names fd00:ec2::254 rather than the ec2::254 inside it.
const IPV6_PART_COUNTS = [9, 8, 7, 6, 5, 4, 3];

/** Judges a host name as the WHATWG URL parser wrote it: lower case, IP literals canonical, IPv6 in brackets. */
export function judgeCallbackHost(hostname: string): HostVerdict {
  if (hostname.startsWith("[")) return judgeAddress(ipaddr.process(hostname.slice(1, -1)));
  if (ipaddr.IPv4.isValidFourPartDecimal(hostname)) return judgeAddress(ipaddr.IPv4.parse(hostname));
  // "localhost." and "localhost" are the same name to DNS.
  return judgeName(hostname.replace(/\.+$/, ""));
}

function judgeAddress(address: Address): HostVerdict {
  const range = rangeOf(address);
  if (range === "unicast") return PUBLIC;
  if (range === "loopback") return LOOPBACK;
  if (IPV4_WRAPPING_RANGES.has(range)) return refused(`uses an IPv6 address that wraps an IPv4 address (${range})`);
  return refused(`points at a non-public address (${range})`);
}

function judgeName(name: string): HostVerdict {
  const rule = NAME_RULES.find(({ names }) => names.some((pattern) => matches(name, pattern)));
  if (rule) return rule.verdict;
  if (!name.includes(".")) return refused("must name a public host");

  const viaService = WILDCARD_DNS_SERVICES.some((pattern) => matches(name, pattern));
  const spelled = spelledAddresses(name, viaService);
  const hidden = spelled.find((address) => rangeOf(address) !== "unicast");
  if (hidden) {
    const range = rangeOf(hidden);
    return refused(`spells ${hidden} (${range}) in its host name, which wildcard DNS resolves to that address`);
  }
  if (viaService && !spelled.some((address) => address.kind() === "ipv4")) {
    return refused("uses a wildcard-DNS service without a public IPv4 address in its host name");
  }
  return PUBLIC;
}

/** Every address a wildcard-DNS service could read out of the name (see WILDCARD_DNS_SERVICES). */
function spelledAddresses(name: string, readHex: boolean): Address[] {
  const parts = name.split(/[.-]/);
  const quads = runsOf(parts, 4).filter((quad) => quad.every((part) => DECIMAL_OCTET.test(part)));
  // IPv6 is spelled with dashes alone, so it lies within one label.
  const ipv6 = name
    .split(".")
    .flatMap((label) => IPV6_PART_COUNTS.flatMap((count) => runsOf(label.split("-"), count)))
    .map((run) => run.join(":"))
    .filter((text) => ipaddr.IPv6.isValid(text));
  return [
    // Decimal, as the services read them: "010" is ten, not the octal eight an IP parser would make of it.
    ...quads.map((quad) => new ipaddr.IPv4(quad.map(Number))),
    ...ipv6.map((text) => ipaddr.IPv6.parse(text)),
    ...(readHex ? parts.filter((part) => HEX_IPV4.test(part)).map((hex) => ipaddr.IPv4.parse(`0x${hex}`)) : []),
  ];
}

/** The ipaddr.js range of an address, with the extra IPv6 ranges above. */
function rangeOf(address: Address): string {
  const range = address.range();
  return range === "unicast" ? ipaddr.subnetMatch(address, EXTRA_IPV6_RANGES, range) : range;
}

const matches = (name: string, pattern: string): boolean => (pattern.startsWith("*.") ? name.endsWith(pattern.slice(1)) : name === pattern);

/** Every run of `size` consecutive items. */
const runsOf = (items: string[], size: number): string[][] => items.slice(size - 1).map((_, i) => items.slice(i, i + size));
