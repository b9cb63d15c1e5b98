// The development issuer: an RS256 key pair whose public half the gateway trusts when DEV_ISSUER=true, and a user-token minter.
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from "jose";

export const DEV_ISSUER_ID = "urn:bun-platform:dev-issuer";
export const DEV_AUDIENCE = "bun-platform";
export const DEV_ALG = "RS256";
/** Where main.ts keeps the pair, under DATA_DIR. */
export const DEV_ISSUER_KEY_FILE = "dev-issuer-keys.json";

export interface DevIssuerKeys {
  privateJwk: JWK;
  jwks: JSONWebKeySet;
}

export async function generateDevIssuerKeys(kid = "dev-issuer-1"): Promise<DevIssuerKeys> {
  const { privateKey, publicKey } = await generateKeyPair(DEV_ALG, { modulusLength: 2048, extractable: true });
  const meta = { kid, alg: DEV_ALG, use: "sig" };
  return { privateJwk: { ...(await exportJWK(privateKey)), ...meta }, jwks: { keys: [{ ...(await exportJWK(publicKey)), ...meta }] } };
}

export interface UserTokenInput {
  subject: string;
  scopes: readonly string[];
  ttlSeconds?: number;
  audience?: string;
}

export type UserTokenMinter = (input: UserTokenInput) => Promise<string>;

/** Mints user tokens as an OIDC provider would: iss, aud, sub, iat, exp, scope, signed RS256 with the kid. */
export async function createUserTokenMinter(keys: DevIssuerKeys): Promise<UserTokenMinter> {
  const key = await importJWK(keys.privateJwk, DEV_ALG);
  const kid = keys.privateJwk.kid;
  return ({ subject, scopes, ttlSeconds = 3600, audience = DEV_AUDIENCE }) =>
    new SignJWT({ scope: scopes.join(" ") })
      .setProtectedHeader({ alg: DEV_ALG, kid, typ: "JWT" })
      .setIssuer(DEV_ISSUER_ID)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${Math.max(1, Math.min(ttlSeconds, 86_400))}s`)
      .setJti(crypto.randomUUID())
      .sign(key);
}

/** The dev JWKS served as a fetch answer, so the gateway verifies dev tokens through the same JWKS cache as real ones. */
export function devJwksFetch(jwks: JSONWebKeySet): (url: string, init: RequestInit) => Promise<Response> {
  const text = JSON.stringify(jwks);
  return async () => new Response(text, { headers: { "content-type": "application/jwk-set+json" } });
}
