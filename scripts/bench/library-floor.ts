// bench:startup's second reference: the least any service on the platform's libraries can do (issue 12's targets).
// It loads what orders and notifications load (hono with @hono/zod-openapi and zod, jose, postgres, the NATS client
// with JetStream), builds nothing with them, and answers /readyz 200 once PostgreSQL answered `select 1` and NATS
// answered a JetStream call: no config schema, no routes, no migrations. With LIBRARY_FLOOR=http only the first three. /healthz answers from the first moment, like the
// services' early listener. Compiled with the services' flags by scripts/bench/startup.ts.
if (process.argv.includes("--version")) {
  console.log("library-floor 0");
  process.exit(0);
}
let ready = false;
const server = Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  hostname: "127.0.0.1",
  fetch: (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/readyz") return new Response(ready ? "ready" : "starting", { status: ready ? 200 : 503 });
    return new Response("ok");
  },
});
process.on("SIGTERM", () => {
  server.stop();
  process.exit(0);
});
// LIBRARY_FLOOR=http: only what gateway and inference load (hono, @hono/zod-openapi with zod, jose), nothing to reach.
const http = process.env.LIBRARY_FLOOR === "http";
const [zodOpenApi, jose] = await Promise.all([import("@hono/zod-openapi"), import("jose")]);
// Referenced, so no bundler can drop them: the floor includes evaluating each library.
if (!zodOpenApi.OpenAPIHono || !jose.jwtVerify) throw new Error("libraries missing");
if (!http) {
  const [{ default: postgres }, { connect }, { jetstreamManager }] = await Promise.all([
    import("postgres"),
    import("@nats-io/transport-node"),
    import("@nats-io/jetstream"),
  ]);
  const sql = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
  const [nc] = await Promise.all([connect({ servers: process.env.NATS_URL }), sql`select 1`]);
  await (await jetstreamManager(nc)).getAccountInfo();
}
ready = true;

export {}; // a module: its names stay its own, and top-level await works
