// Zod schemas for key material passed in env: INTERNAL_AUTH_JWKS (public JWKS) and INTERNAL_AUTH_PRIVATE_JWK.
import type { JSONWebKeySet, JWK } from "jose";
import { z } from "zod";

const jwk = z.looseObject({ kty: z.string(), kid: z.string().min(1) });

const jsonText = <T extends z.ZodType>(schema: T, what: string) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: `must be ${what} as JSON` });
        return z.NEVER;
      }
    })
    .pipe(schema);

export const jwksEnv = jsonText(z.object({ keys: z.array(jwk).min(1) }), 'a JWKS ({"keys":[…]})').transform((v) => v as unknown as JSONWebKeySet);

export const privateJwkEnv = jsonText(jwk.extend({ d: z.string().min(1) }), "a private JWK with kid").transform((v) => v as unknown as JWK);
