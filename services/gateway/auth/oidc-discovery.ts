// Reads an OIDC issuer's discovery document at startup (exact issuer, jwks_uri, signing algorithms), with a timeout and bounded retries.
import type { Logger } from "../../../lib/logging/logger.ts";
import { trailingSlashHint } from "./issuer-hint.ts";
import { isTransientStatus } from "./jwks-document.ts";

export interface DiscoveryOptions {
  /** OIDC_ISSUER_URL, exactly as configured. */
  issuer: string;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Timeout of one attempt. */
  timeoutMs: number;
  /** Attempts after the first when the document cannot be had (network error, timeout, 5xx, 429). */
  retries: number;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export interface DiscoveredIssuer {
  issuer: string;
  jwksUri: string;
  /** `id_token_signing_alg_values_supported`, when the document lists it. */
  signingAlgorithms?: string[];
}

/** The issuer cannot be used as configured; startup stops with this message. */
export class IssuerDiscoveryError extends Error {
  override name = "IssuerDiscoveryError";
}

const MAX_DOCUMENT_BYTES = 256 * 1024;

/** OIDC Discovery 1.0 §4: the issuer without its terminating "/", then /.well-known/openid-configuration. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

const isHttpUrl = (v: unknown): v is string => typeof v === "string" && URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);

/** Checks the document against the configured issuer; every refusal names what was found. */
function readDocument(url: string, configured: string, text: string, contentType: string | null): DiscoveredIssuer {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new IssuerDiscoveryError(`${url} answered ${contentType ?? "no content type"} that is not JSON: no discovery document there; check OIDC_ISSUER_URL`);
  }
  if (typeof doc !== "object" || doc === null || typeof doc.issuer !== "string")
    throw new IssuerDiscoveryError(`${url} answered JSON without an "issuer" member: not a discovery document; check OIDC_ISSUER_URL`);
  if (doc.issuer !== configured)
    throw new IssuerDiscoveryError(
      `the discovery document at ${url} names issuer ${JSON.stringify(doc.issuer)}, but OIDC_ISSUER_URL is ${JSON.stringify(configured)}; ` +
        `they must be equal exactly${trailingSlashHint(configured, doc.issuer)}: tokens carry the issuer's own value in iss`,
    );
  if (!isHttpUrl(doc.jwks_uri))
    throw new IssuerDiscoveryError(`the discovery document at ${url} has no http(s) jwks_uri (found ${JSON.stringify(doc.jwks_uri)})`);
  const algs = doc.id_token_signing_alg_values_supported;
  const signingAlgorithms = Array.isArray(algs) ? algs.filter((a): a is string => typeof a === "string") : undefined;
  return { issuer: doc.issuer, jwksUri: doc.jwks_uri, signingAlgorithms };
}

/** One attempt: the document, or the reason to try again; a definitive refusal throws IssuerDiscoveryError. */
async function attempt(url: string, opts: DiscoveryOptions): Promise<DiscoveredIssuer | { retry: string }> {
  const fetchImpl = opts.fetch ?? ((u, init) => fetch(u, init));
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(url, { headers: { accept: "application/json" }, redirect: "manual", signal: AbortSignal.timeout(opts.timeoutMs) });
    text = await res.text();
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError";
    return { retry: timedOut ? `no answer within ${opts.timeoutMs} ms` : (err as Error).message };
  }
  if (isTransientStatus(res.status)) return { retry: `HTTP ${res.status}` };
  if (res.status !== 200) {
    const where = res.status >= 300 && res.status < 400 ? ` (a redirect to ${res.headers.get("location") ?? "nowhere"}, not followed)` : "";
    throw new IssuerDiscoveryError(`${url} answered HTTP ${res.status}${where}: no discovery document there; OIDC_ISSUER_URL must be the issuer itself`);
  }
  if (text.length > MAX_DOCUMENT_BYTES) throw new IssuerDiscoveryError(`${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  return readDocument(url, opts.issuer, text, res.headers.get("content-type"));
}

/**
 * Fetches and checks the document, retrying what may heal (unreachable, timeout, 5xx, 429) with doubling pauses; when the
 * retries are spent it throws, and the process exits: an orchestrator restarts it, and running replicas are unaffected.
 */
export async function discoverIssuer(opts: DiscoveryOptions): Promise<DiscoveredIssuer> {
  const url = discoveryUrl(opts.issuer);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let n = 1; ; n++) {
    const outcome = await attempt(url, opts);
    if (!("retry" in outcome)) return outcome;
    if (n > opts.retries)
      throw new IssuerDiscoveryError(`OIDC discovery failed: ${url} could not be read in ${n} attempt${n === 1 ? "" : "s"} (last: ${outcome.retry})`);
    const pauseMs = Math.min(250 * 2 ** (n - 1), 4_000);
    opts.log.warn("oidc discovery failed, retrying", { url, attempt: n, err: outcome.retry, retry_in_ms: pauseMs });
    await sleep(pauseMs);
  }
}
