// SSRF guard for backend base URLs: plain http(s) origins only, no credentials, never a link-local or cloud-metadata address.
import { cidrContains, parseCidrList, parseIp } from "../../../lib/http/ip-address.ts";

/**
 * Addresses a backend may never be: link-local (every cloud's metadata service lives at 169.254.169.254), the cloud
 * metadata endpoints outside it, "this host" and broadcast/multicast. Loopback and private ranges stay allowed: model
 * servers run as sidecars and in-cluster services.
 */
const BLOCKED_RANGES = parseCidrList(
  [
    "169.254.0.0/16", // IPv4 link-local: AWS, GCP, Azure, OCI, DigitalOcean metadata
    "100.100.100.200/32", // Alibaba Cloud metadata
    "168.63.129.16/32", // Azure WireServer
    "192.0.0.192/32", // Oracle Cloud (classic) metadata
    "0.0.0.0/8", // "this network": 0.0.0.0 reaches the local host
    "224.0.0.0/4", // multicast
    "255.255.255.255/32",
    "fe80::/10", // IPv6 link-local
    "fd00:ec2::/32", // AWS metadata over IPv6 (fd00:ec2::254)
    "::/128",
    "ff00::/8", // IPv6 multicast
  ].join(","),
);

/** Names that resolve to a metadata service inside the clouds (compared without a trailing dot, case-insensitive). */
const BLOCKED_NAMES = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.tencentyun.com",
  "metadata.platformequinix.com",
]);

/** IPv6 forms that carry an IPv4 address inside (IPv4-compatible, NAT64, 6to4): the embedded address is checked too. */
function embeddedIpv4(ip: Uint8Array): Uint8Array | undefined {
  if (ip.length !== 16) return undefined;
  const zeros = (from: number, to: number) => ip.slice(from, to).every((b) => b === 0);
  if (zeros(0, 12)) return ip.slice(12); // ::a.b.c.d
  if (ip[0] === 0x00 && ip[1] === 0x64 && ip[2] === 0xff && ip[3] === 0x9b && zeros(4, 12)) return ip.slice(12); // 64:ff9b::/96
  if (ip[0] === 0x20 && ip[1] === 0x02) return ip.slice(2, 6); // 2002::/16
  return undefined;
}

function blockedAddress(ip: Uint8Array): boolean {
  if (BLOCKED_RANGES.some((c) => cidrContains(c, ip))) return true;
  const inner = embeddedIpv4(ip);
  // 0.x.x.x inside is no embedded address (::1 is loopback, not 0.0.0.1).
  return inner !== undefined && inner[0] !== 0 && BLOCKED_RANGES.some((c) => cidrContains(c, inner));
}

/**
 * Every problem with a backend base URL (empty when it is acceptable). The WHATWG parser normalises the tricky
 * spellings first (decimal `http://2852039166/`, hex, octal, short and percent-encoded forms, full-width digits,
 * `[::ffff:169.254.169.254]`), so the checks see the address the runtime would connect to.
 */
export function backendUrlProblems(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [`"${text}" is not a URL`];
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return [`scheme ${url.protocol} is not allowed (http or https only)`];
  const problems: string[] = [];
  if (url.username || url.password) problems.push("credentials in the URL are not allowed (use apiKeyEnv)");
  if (url.pathname !== "/" || url.search || url.hash || /[?#]/.test(text)) problems.push("must be an origin only (no path, query or fragment)");
  const host = url.hostname.replace(/\.$/, "").toLowerCase();
  if (host === "") problems.push("has no host");
  const ip = parseIp(host);
  if (ip !== undefined ? blockedAddress(ip) : BLOCKED_NAMES.has(host)) problems.push(`host ${url.hostname} is a link-local or cloud metadata address`);
  return problems;
}

/** The origin fetch calls go to (`http://host:port`), without the trailing slash the URL parser adds. */
export function backendOrigin(text: string): string {
  return new URL(text).origin;
}
