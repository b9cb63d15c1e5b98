// IP addresses and CIDR ranges: parsing (IPv4, IPv6, IPv4-mapped) and containment, for allow-lists and address checks.

export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? "";
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let s = text;
  let tail: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".", lastColon)) {
    tail = parseIpv4(s.slice(lastColon + 1));
    if (!tail) return undefined;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined) => (h ? h.split(":") : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i] ?? "";
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** 4 bytes for IPv4 (also for IPv4-mapped IPv6 such as ::ffff:127.0.0.1), 16 for IPv6, undefined if not an address. */
export function parseIp(text: string): Uint8Array | undefined {
  const s = text.trim().replace(/^\[|\]$/g, "");
  if (!s.includes(":")) return parseIpv4(s);
  const v6 = parseIpv6(s.replace(/%.*$/, ""));
  if (v6?.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return v6.slice(12);
  return v6;
}

export function parseCidrList(text: string): Cidr[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [addr = "", len] = item.split("/");
      const bytes = parseIp(addr);
      const max = bytes ? bytes.length * 8 : 0;
      const prefix = len === undefined ? max : Number(len);
      if (!bytes || !Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`"${item}" is not an IP address or CIDR`);
      return { bytes, prefix };
    });
}

export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  if (cidr.bytes.length !== ip.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((cidr.bytes[i] ?? 0) & mask) !== ((ip[i] ?? 0) & mask)) return false;
  }
  return true;
}
