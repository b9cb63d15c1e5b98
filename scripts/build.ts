// `bun run build [service…]`: compiles each service to one self-contained executable in dist/<name>.
//
// `--without-embedded-database` leaves PGlite and its WASM out (DATABASE_URL then becomes required): images are
// built that way (scripts/image/build.ts, Dockerfile.bun). `--outdir DIR` writes DIR/<name> instead of dist/<name>.
import { readdirSync } from "node:fs";
import { parseArgs } from "node:util";
import type { BunPlugin } from "bun";

/** Replaces lib/db/embedded.ts with an empty module. The define alone drops its code but not the WASM and data files
 * it imports `with { type: "file" }`: the bundler collects those assets before it removes the dead branch. */
const leaveOutEmbeddedDatabase: BunPlugin = {
  name: "leave-out-embedded-database",
  setup(build) {
    build.onResolve({ filter: /\/embedded\.ts$/ }, (args) =>
      args.importer.endsWith("lib/db/database.ts") ? { path: "embedded-database-left-out", namespace: "left-out" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "left-out" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

/** Compiles `entry` to one executable at `outfile`, the same way for `bun run build`, the images and Dockerfile.bun. */
export async function compile(entry: string, outfile: string, opts: { withEmbeddedDatabase: boolean }): Promise<void> {
  const result = await Bun.build({
    entrypoints: [entry],
    compile: { target: "bun-linux-x64", outfile },
    minify: true,
    // bytecode needs format esm, or top-level await crashes at start (FIELD-NOTES).
    bytecode: true,
    format: "esm",
    // Code behind a dynamic import() (tracing SDK, PGlite, NATS, all of run.ts for --version) goes into chunks of its
    // own inside the executable, read only when that import runs; without it the whole program is one chunk.
    splitting: true,
    // Read by lib/db/database.ts: false turns the embedded-database branch into dead code at compile time.
    define: opts.withEmbeddedDatabase ? {} : { "globalThis.BUN_PLATFORM_EMBEDDED_DATABASE": "false" },
    plugins: opts.withEmbeddedDatabase ? [] : [leaveOutEmbeddedDatabase],
    throw: false,
  });
  if (!result.success) throw new Error(`bun build of ${entry} failed:\n${result.logs.join("\n")}`);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { "without-embedded-database": { type: "boolean" }, outdir: { type: "string", default: "dist" } },
    allowPositionals: true,
  });
  const services = readdirSync("services").filter((s) => positionals.length === 0 || positionals.includes(s));
  for (const name of services) {
    const started = performance.now();
    const outfile = `${values.outdir}/${name}`;
    try {
      await compile(`services/${name}/main.ts`, outfile, { withEmbeddedDatabase: !values["without-embedded-database"] });
    } catch (err) {
      console.error((err as Error).message);
      process.exit(1);
    }
    console.log(`${outfile} built in ${Math.round(performance.now() - started)} ms`);
  }
}
