// Internal tokens for upstream calls, minted once per (subject, service, scopes) and reused for most of their ≤ 60 s life.
import type { InternalTokenMinter } from "../../../lib/auth/internal-token.ts";
import type { UserIdentity } from "./user-token.ts";

export interface InternalTokenTarget {
  /** The service name: the token's audience. */
  name: string;
  /** The scopes this service understands; only these of the user's are passed on. */
  scopes: ReadonlySet<string>;
}

export interface InternalTokenCacheOptions {
  mint: InternalTokenMinter;
  /** Lifetime of a minted token (≤ 60, the platform's cap). */
  ttlSeconds?: number;
  /** How long one is handed out; the rest of its life covers clock skew and the request's own duration. */
  reuseSeconds?: number;
  maxEntries?: number;
  now?: () => number;
}

export interface InternalTokenCache {
  /** The token for `identity` calling `target`: from the identity's memo (no await), or minted/shared. */
  tokenFor(identity: UserIdentity, target: InternalTokenTarget): string | Promise<string>;
  size(): number;
}

interface Minted {
  token: string;
  refreshAtMs: number;
}

export function createInternalTokenCache(opts: InternalTokenCacheOptions): InternalTokenCache {
  const ttl = opts.ttlSeconds ?? 60;
  const reuseMs = (opts.reuseSeconds ?? 45) * 1000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const shared = new Map<string, Minted>();
  const inflight = new Map<string, Promise<Minted>>();

  const mint = (key: string, identity: UserIdentity, target: InternalTokenTarget, scopes: string[]) => {
    let p = inflight.get(key);
    if (!p) {
      p = opts
        .mint({ audience: target.name, subject: identity.subject, scopes, ttlSeconds: ttl })
        .then((token) => {
          const minted = { token, refreshAtMs: now() + reuseMs };
          if (shared.size >= maxEntries) {
            const oldest = shared.keys().next().value;
            if (oldest !== undefined) shared.delete(oldest);
          }
          shared.set(key, minted);
          return minted;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p;
  };

  const slow = async (identity: UserIdentity, target: InternalTokenTarget): Promise<string> => {
    const scopes = [...identity.scopes].filter((s) => target.scopes.has(s)).sort();
    const key = `${target.name}\n${identity.subject}\n${scopes.join(" ")}`;
    let minted = shared.get(key);
    if (minted === undefined || minted.refreshAtMs <= now()) minted = await mint(key, identity, target, scopes);
    identity.internal.set(target.name, minted);
    return minted.token;
  };

  return {
    size: () => shared.size,
    tokenFor(identity, target) {
      const memo = identity.internal.get(target.name);
      if (memo !== undefined && memo.refreshAtMs > now()) return memo.token;
      return slow(identity, target);
    },
  };
}
