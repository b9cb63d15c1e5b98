// The size floor for image reports: the least compiled Bun server (Bun.serve answering 200), imaged like a service.
const server = Bun.serve({ port: Number(process.env.PORT ?? 8080), fetch: () => new Response("ok") });
process.on("SIGTERM", () => {
  server.stop();
  process.exit(0);
});
