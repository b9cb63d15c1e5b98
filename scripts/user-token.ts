// Dev helper: mints a user token from the gateway's dev issuer (`npm run -s token:user -- --sub alice --scope "orders:read orders:write"`).
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadOrCreateKeyFile } from "../lib/auth/dev-key-file.ts";
import { createUserTokenMinter, DEV_AUDIENCE, DEV_ISSUER_KEY_FILE, generateDevIssuerKeys } from "../services/gateway/dev-issuer/issuer.ts";

const { values } = parseArgs({
  options: {
    sub: { type: "string", default: "dev-user" },
    scope: { type: "string", default: "orders:read orders:write" },
    ttl: { type: "string", default: "3600" },
    aud: { type: "string", default: process.env.JWT_AUDIENCE ?? DEV_AUDIENCE },
    keys: { type: "string", default: join(process.env.DATA_DIR ?? ".data", DEV_ISSUER_KEY_FILE) },
  },
});

const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl < 1) {
  console.error("--ttl must be a whole number of seconds");
  process.exit(2);
}
const keys = await loadOrCreateKeyFile(values.keys, () => generateDevIssuerKeys());
const mint = await createUserTokenMinter(keys);
console.log(await mint({ subject: values.sub, scopes: values.scope.split(/\s+/).filter(Boolean), ttlSeconds: ttl, audience: values.aud }));
