// Principal: the verified caller a service acts for, taken from the internal token.

export interface Principal {
  /** The caller's subject (`sub`), e.g. the customer id. */
  subject: string;
  scopes: ReadonlySet<string>;
}

export const SCOPES = ["orders:read", "orders:write", "orders:admin", "notifications:read", "notifications:admin", "inference:invoke"] as const;
export type Scope = (typeof SCOPES)[number];

export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.has(scope);
}
