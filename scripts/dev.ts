// `npm start`: runs the platform on its embedded defaults (PGlite under .data/, dev keys), one process per service.
import { loadOrCreateDevKeys } from "../lib/auth/dev-key-file.ts";

const dataDir = process.env.DATA_DIR ?? ".data";
const keys = await loadOrCreateDevKeys(`${dataDir}/dev-keys.json`);

const services = [{ name: "orders", port: Number(process.env.ORDERS_PORT ?? 8081) }];

const children = services.map(({ name, port }) =>
  Bun.spawn(["bun", `services/${name}/main.ts`], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
      DRAIN_DELAY_MS: process.env.DRAIN_DELAY_MS ?? "0",
    },
    stdout: "inherit",
    stderr: "inherit",
  }),
);

console.error(
  [
    "",
    "platform starting on embedded defaults (first start initialises the embedded database: a few seconds)",
    ...services.map((s) => `  ${s.name.padEnd(14)} http://localhost:${s.port}  (docs: /docs)`),
    "  token:        npm run token -- --sub alice",
    "  stop:         Ctrl-C",
    "",
  ].join("\n"),
);

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill("SIGTERM");
  });
}

// If any service dies on its own, stop the rest and exit with its code.
const first = await Promise.race(children.map((c, i) => c.exited.then((code) => ({ code, i }))));
if (!stopping) {
  console.error(`${services[first.i]?.name} exited with code ${first.code}; stopping the platform`);
  for (const c of children) c.kill("SIGTERM");
}
await Promise.all(children.map((c) => c.exited));
process.exit(stopping ? 0 : first.code || 1);
