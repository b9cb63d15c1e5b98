// Test harness: a gateway (real config parsing and wiring) in front of a recording stub upstream, with a local JWKS server.
import { type JWK, type JWTPayload, SignJWT } from "jose";
import { type DevKeyPair, generateDevKeyPair } from "../../../lib/auth/dev-keys.ts";
import { createInternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { parseEnv } from "../../../lib/config/env.ts";
import { type Logger, silentLogger } from "../../../lib/logging/logger.ts";
import { assembleGateway } from "../assemble.ts";
import { gatewayEnv } from "../config.ts";
import { gatewayDocument } from "../contract/document.ts";
import { type DevIssuerKeys, generateDevIssuerKeys } from "../dev-issuer/issuer.ts";

export const ISSUER = "https://issuer.test/realms/platform";
export const AUDIENCE = "api://platform";

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

type Handler = (req: Request) => Response | Promise<Response>;

/** A local server whose behaviour a test sets; it records every request it gets. */
export function stubServer(initial: Handler = () => Response.json({ ok: true })) {
  const seen: SeenRequest[] = [];
  let handler = initial;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 60,
    async fetch(req) {
      const body = req.body ? new Uint8Array(await req.arrayBuffer()) : new Uint8Array();
      seen.push({ method: req.method, url: req.url, headers: Object.fromEntries(req.headers), bodyBytes: body.byteLength });
      return handler(new Request(req.url, { method: req.method, headers: req.headers, body: body.byteLength ? body : undefined }));
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    seen,
    set: (h: Handler) => {
      handler = h;
    },
    stop: () => server.stop(true),
  };
}

export interface HarnessOptions {
  env?: Record<string, string>;
  upstream?: Handler;
  /** Route /v1/orders somewhere else than the recording stub (a real orders process). */
  ordersUrl?: string;
  /** The internal-token key pair (a real service must be given its public half). */
  internalKeys?: DevKeyPair;
  /** Where the gateway logs (default: nowhere). */
  log?: Logger;
}

export async function gatewayHarness(opts: HarnessOptions = {}) {
  const signing = await generateDevIssuerKeys("k1");
  let published: JWK[] = [...(signing.jwks.keys as JWK[])];
  let jwksFetches = 0;
  const jwksServer = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => {
      jwksFetches++;
      return Response.json({ keys: published });
    },
  });
  const upstream = stubServer(opts.upstream);
  const internal = opts.internalKeys ?? (await generateDevKeyPair("gw-test"));
  const cfg = parseEnv("gateway", gatewayEnv, {
    JWKS_URL: `http://127.0.0.1:${jwksServer.port}/jwks.json`,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_ALGORITHMS: "RS256,ES256",
    INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(internal.privateJwk),
    ORDERS_URL: opts.ordersUrl ?? upstream.url,
    LOG_LEVEL: "silent",
    ...opts.env,
  });
  const assembled = await assembleGateway({ cfg, log: opts.log ?? silentLogger, contract: gatewayDocument({}) });
  const { gateway } = assembled;

  /** A user token signed by `keys` (default: the published key), with claims and header overridable. */
  const token = async (claims: JWTPayload = {}, header: Record<string, unknown> = {}, keys: DevIssuerKeys = signing) => {
    const now = Math.floor(Date.now() / 1000);
    const { importJWK } = await import("jose");
    const key = await importJWK(keys.privateJwk, "RS256");
    return new SignJWT({ scope: "orders:read orders:write", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: keys.privateJwk.kid, typ: "JWT", ...header })
      .setIssuer((claims.iss as string | undefined) ?? ISSUER)
      .setAudience((claims.aud as string | string[] | undefined) ?? AUDIENCE)
      .setSubject((claims.sub as string | undefined) ?? "alice")
      .setIssuedAt((claims.iat as number | undefined) ?? now)
      .setExpirationTime((claims.exp as number | undefined) ?? now + 600)
      .sign(key);
  };
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  return {
    cfg,
    gateway,
    health: assembled.health,
    upstream,
    signing,
    internal,
    /** Verifies internal tokens the way the orders service does. */
    verifyInternal: createInternalTokenVerifier({ jwks: internal.jwks, audience: "orders" }),
    token,
    bearer,
    jwks: {
      fetches: () => jwksFetches,
      publish: (keys: JWK[]) => {
        published = keys;
      },
    },
    get: async (path: string, headers: Record<string, string> = {}, peer = "203.0.113.7") => gateway.request(path, { headers }, peer),
    close: () => {
      upstream.stop();
      jwksServer.stop(true);
    },
  };
}

export type Harness = Awaited<ReturnType<typeof gatewayHarness>>;
