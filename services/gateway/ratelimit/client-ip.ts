// The client's IP: the direct peer, or (only when the peer is a trusted proxy) the first untrusted hop of X-Forwarded-For.
import { type Cidr, cidrContains, parseIp } from "../../../lib/http/ip-address.ts";

export type ClientIpResolver = (peer: string | undefined, forwardedFor: string | null) => string;

export function createClientIpResolver(trusted: readonly Cidr[]): ClientIpResolver {
  const memo = new Map<string, boolean>();
  const isTrusted = (addr: string): boolean => {
    let hit = memo.get(addr);
    if (hit === undefined) {
      const ip = parseIp(addr);
      hit = ip !== undefined && trusted.some((c) => cidrContains(c, ip));
      if (memo.size >= 4_096) memo.clear();
      memo.set(addr, hit);
    }
    return hit;
  };
  return (peer, forwardedFor) => {
    const direct = peer ?? "unknown";
    if (trusted.length === 0 || !forwardedFor || !isTrusted(direct)) return direct;
    // Walk from the nearest hop outwards; the first hop we do not trust is the client as far as we can know.
    const hops = forwardedFor.split(",");
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = (hops[i] ?? "").trim();
      if (!parseIp(hop)) return direct; // garbage in the chain: believe only what we saw ourselves
      if (!isTrusted(hop)) return hop;
    }
    return (hops[0] ?? direct).trim();
  };
}
