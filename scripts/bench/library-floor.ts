// bench:startup's second reference: the least any service on the platform's libraries can do (issue 12's targets).
// It loads what orders and notifications load (hono with @hono/zod-openapi and zod, jose, postgres, the NATS client
// with JetStream) and answers /readyz 200 once PostgreSQL answered `select 1` and NATS answered a JetStream call: no
// config schema, no migrations, one route. With LIBRARY_FLOOR=http only the first three, plus one outbound fetch.
// Either way it verifies a JWT at start and answers / through an OpenAPIHono route that verifies it again (each
// service verifies a token per call): WebCrypto, the fetch client and the framework's request path bring in code and
// memory of their own. /healthz answers from the first moment, like the services' early listener. Compiled with the
// services' flags by scripts/bench/startup.ts.
if (process.argv.includes("--version")) {
  console.log("library-floor 0");
  process.exit(0);
}
let ready = false;
let honoFetch: ((req: Request) => Response | Promise<Response>) | undefined;
const server = Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  hostname: "127.0.0.1",
  fetch: (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/readyz") return new Response(ready ? "ready" : "starting", { status: ready ? 200 : 503 });
    if (path === "/" && honoFetch) return honoFetch(req);
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
const { publicKey, privateKey } = await jose.generateKeyPair("ES256");
const token = await new jose.SignJWT({ scope: "floor" }).setProtectedHeader({ alg: "ES256" }).setExpirationTime("1h").sign(privateKey);
await jose.jwtVerify(token, publicKey);
// A service answers through its framework: one route on the app class the services use, verifying the token per call.
const app = new zodOpenApi.OpenAPIHono();
app.get("/", async (c) => {
  await jose.jwtVerify(token, publicKey);
  return c.text("ok");
});
honoFetch = app.fetch;
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
// Gateway and inference fetch before they are ready (the issuer's keys, a backend's readiness).
if (http) await (await fetch(`http://127.0.0.1:${server.port}/healthz`)).text();
ready = true;

export {}; // a module: its names stay its own, and top-level await works
