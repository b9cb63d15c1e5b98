// Development helper: makes an Ed25519 key pair as (private JWK, public JWKS) for local runs and tests.
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from "jose";
import { INTERNAL_ALG } from "./internal-token.ts";

export interface DevKeyPair {
  privateJwk: JWK;
  jwks: JSONWebKeySet;
}

export async function generateDevKeyPair(kid = `dev-${crypto.randomUUID().slice(0, 8)}`): Promise<DevKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(INTERNAL_ALG, { crv: "Ed25519", extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: INTERNAL_ALG, use: "sig" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: INTERNAL_ALG, use: "sig" };
  return { privateJwk, jwks: { keys: [publicJwk] } };
}
