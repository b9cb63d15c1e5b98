// Dev helper: mints an internal token for local calls (`npm run token -- --sub alice --scope "orders:read orders:write"`).
import { parseArgs } from "node:util";
import { loadOrCreateDevKeys } from "../lib/auth/dev-key-file.ts";
import { createInternalTokenMinter } from "../lib/auth/internal-token.ts";

const { values } = parseArgs({
  options: {
    sub: { type: "string", default: "dev-user" },
    aud: { type: "string", default: "orders" },
    scope: { type: "string", default: "orders:read orders:write" },
    ttl: { type: "string", default: "60" },
    keys: { type: "string", default: `${process.env.DATA_DIR ?? ".data"}/dev-keys.json` },
  },
});

const keys = await loadOrCreateDevKeys(values.keys);
const mint = await createInternalTokenMinter(keys.privateJwk);
console.log(await mint({ audience: values.aud, subject: values.sub, scopes: values.scope.split(/\s+/).filter(Boolean), ttlSeconds: Number(values.ttl) }));
