// Test support: panva's oidc-provider on loopback, in this process, issuing RFC 9068 JWT access tokens by client credentials.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { errors } from "oidc-provider";

export const CLIENT_ID = "reporting-job";
const CLIENT_SECRET = "reporting-job-secret-0123456789";

export interface LocalOidcProvider {
  /** `http://127.0.0.1:PORT`, exactly as the provider writes it in discovery and in `iss`. */
  issuer: string;
  jwksUri: string;
  /** An access token for `resource` (its `aud`) with `scope`, by the client credentials grant at the token endpoint. */
  clientToken(resource: string, scope: string): Promise<string>;
  close(): Promise<void>;
}

/** Resource servers: each audience in `audiences` gets JWT access tokens signed RS256, any of `scopes`. */
export async function startOidcProvider(opts: { audiences: string[]; scopes: string }): Promise<LocalOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_types: ["client_credentials"], redirect_uris: [], response_types: [] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: "op-rs256-1", alg: "RS256", use: "sig" } as never] },
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (!opts.audiences.includes(resource)) throw new errors.InvalidTarget();
          return { scope: opts.scopes, audience: resource, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
  });
  server.on("request", provider.callback());
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();

  return {
    issuer,
    jwksUri: discovery.jwks_uri,
    async clientToken(resource, scope) {
      const res = await fetch(discovery.token_endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${CLIENT_ID}:${CLIENT_SECRET}`)}` },
        body: new URLSearchParams({ grant_type: "client_credentials", resource, scope }),
      });
      const body = await res.json();
      if (res.status !== 200 || typeof body.access_token !== "string") throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
