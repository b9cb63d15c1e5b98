// The issuer whose user tokens the gateway accepts: JWKS_URL + JWT_ISSUER as configured, OIDC_ISSUER_URL through discovery, or the dev issuer.
import type { Logger } from "../../../lib/logging/logger.ts";
import { type GatewayConfig, tokenIdentity } from "../config.ts";
import { discoverIssuer, IssuerDiscoveryError } from "./oidc-discovery.ts";

export interface TokenIssuer {
  /** Exact `iss` of accepted tokens. */
  issuer: string;
  audience: string;
  /** Where its keys are fetched (a placeholder for the dev issuer, whose keys are in memory). */
  jwksUrl: string;
  /** JWT_ALGORITHMS, narrowed to what a discovered issuer says it signs with. */
  algorithms: string[];
}

export interface ResolveOptions {
  log: Logger;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  sleep?: (ms: number) => Promise<void>;
}

export const DEV_JWKS_URL = "dev-issuer:jwks";

/** JWT_ALGORITHMS ∩ the discovered algorithms (in JWT_ALGORITHMS' order); none in common stops startup. */
function narrowAlgorithms(configured: string[], advertised: string[] | undefined, log: Logger): string[] {
  if (advertised === undefined) {
    log.info("user-token algorithms: JWT_ALGORITHMS as configured (the discovery document lists no id_token_signing_alg_values_supported)", {
      algorithms: configured,
    });
    return configured;
  }
  const accepted = configured.filter((a) => advertised.includes(a));
  if (accepted.length === 0)
    throw new IssuerDiscoveryError(
      `the issuer signs with ${advertised.join(", ") || "(none listed)"} and JWT_ALGORITHMS allows ${configured.join(", ")}: no algorithm in common`,
    );
  log.info("user-token algorithms: JWT_ALGORITHMS ∩ the issuer's id_token_signing_alg_values_supported", {
    algorithms: accepted,
    configured,
    issuer_supports: advertised,
  });
  return accepted;
}

export async function resolveTokenIssuer(cfg: GatewayConfig, opts: ResolveOptions): Promise<TokenIssuer> {
  const { issuer, audience } = tokenIdentity(cfg);
  if (cfg.DEV_ISSUER) return { issuer, audience, jwksUrl: DEV_JWKS_URL, algorithms: cfg.JWT_ALGORITHMS };
  if (!cfg.OIDC_ISSUER_URL) return { issuer, audience, jwksUrl: cfg.JWKS_URL ?? "", algorithms: cfg.JWT_ALGORITHMS };
  const found = await discoverIssuer({
    issuer: cfg.OIDC_ISSUER_URL,
    fetch: opts.fetch,
    timeoutMs: cfg.JWKS_TIMEOUT_MS,
    retries: cfg.OIDC_DISCOVERY_RETRIES,
    log: opts.log,
    sleep: opts.sleep,
  });
  opts.log.info("oidc discovery", { issuer: found.issuer, jwks_uri: found.jwksUri });
  return { issuer: found.issuer, audience, jwksUrl: found.jwksUri, algorithms: narrowAlgorithms(cfg.JWT_ALGORITHMS, found.signingAlgorithms, opts.log) };
}
