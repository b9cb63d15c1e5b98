// Embedded default database: PGlite (Postgres in WASM) persisted on disk, served on loopback TCP for postgres.js.
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import initdbWasmPath from "../../node_modules/@electric-sql/pglite/dist/initdb.wasm" with { type: "file" };
import fsBundlePath from "../../node_modules/@electric-sql/pglite/dist/pglite.data" with { type: "file" };
import pgliteWasmPath from "../../node_modules/@electric-sql/pglite/dist/pglite.wasm" with { type: "file" };
import { type Logger, silentLogger } from "../logging/logger.ts";

export interface EmbeddedPostgresOptions {
  /** Directory holding the cluster; created if missing. Initialized (initdb) on first start. */
  dataDir: string;
  log?: Logger;
}

export interface EmbeddedPostgres {
  /** postgres:// URL of the loopback socket server. */
  url: string;
  /** The server accepts exactly this many connections: the client pool MUST use `max: 1`. */
  maxConnections: 1;
  /** Stops the socket server, then closes PGlite (checkpoint + flush) so the next start is clean. */
  close(): Promise<void>;
}

/**
 * Starts PGlite on `dataDir` behind a pglite-socket server on 127.0.0.1 (OS-chosen port).
 * Only ONE connection is safe (the server multiplexes extended-protocol messages of several
 * connections unsafely), so connect with postgres.js `max: 1`; LISTEN/NOTIFY does not work
 * (postgres.js would need a second connection). First start runs initdb (seconds); later
 * starts reuse the data directory. Never open one data directory from two processes.
 * PGlite runs in this process's thread: a long query blocks the event loop (HTTP included) and
 * `statement_timeout` is accepted but never fires.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? silentLogger;
  const started = performance.now();
  const assets = await loadAssets();
  await initializeOnce(opts.dataDir, assets, log);
  const db = await PGlite.create(opts.dataDir, {
    ...assets,
    onStderr: (text) => {
      log.debug("pglite stderr", { text });
      return true;
    },
  });
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  log.info("embedded postgres started", {
    data_dir: opts.dataDir,
    address: server.getServerConn(),
    ms: Math.round(performance.now() - started),
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await server.stop();
      if (!db.closed) await db.close();
      log.info("embedded postgres stopped", { data_dir: opts.dataDir });
    })());
  return { url, maxConnections: 1, close };
}

/**
 * Makes sure `dataDir` holds a complete cluster (runs initdb if not) without starting a server,
 * e.g. to prepare a data directory ahead of time or a template for tests.
 */
export async function initEmbeddedCluster(dataDir: string, log: Logger = silentLogger): Promise<void> {
  await initializeOnce(dataDir, await loadAssets(), log);
}

type Assets = { pgliteWasmModule: WebAssembly.Module; initdbWasmModule: WebAssembly.Module; fsBundle: Blob };

/**
 * PGlite's runtime files (the package does not export them, hence the node_modules paths above).
 * Imported `with { type: "file" }`, `bun build --compile` embeds them in the executable and the
 * paths point into /$bunfs/; unbundled Bun gets the node_modules files. Left to itself, PGlite
 * would look for them beside its own module, which does not exist next to a compiled binary.
 * initdb.wasm is only used on the first start (initdb runs as a separate WASM program).
 */
async function loadAssets(): Promise<Assets> {
  const read = (path: string) => Bun.file(path).arrayBuffer();
  const [pgliteWasmModule, initdbWasmModule, fsBundle] = await Promise.all([
    read(pgliteWasmPath).then((b) => WebAssembly.compile(b)),
    read(initdbWasmPath).then((b) => WebAssembly.compile(b)),
    read(fsBundlePath).then((b) => new Blob([b])),
  ]);
  return { pgliteWasmModule, initdbWasmModule, fsBundle };
}

/**
 * PGlite treats any directory holding PG_VERSION as a cluster, so an initdb interrupted half-way
 * (crash, OOM kill) would leave a broken cluster behind. Initialize in a sibling staging
 * directory and rename it into place, so `dataDir` is either absent/empty or complete.
 */
async function initializeOnce(dataDir: string, assets: Assets, log: Logger): Promise<void> {
  if (await exists(`${dataDir}/PG_VERSION`)) return;
  const staging = `${dataDir.replace(/\/+$/, "")}.initdb-tmp`;
  log.info("embedded postgres: initializing a new cluster (first start takes a few seconds)", { data_dir: dataDir });
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const db = await PGlite.create(staging, assets);
  await db.close();
  try {
    await rename(staging, dataDir); // replaces a missing or empty directory atomically
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    const code = (err as { code?: string }).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") {
      throw new Error(`embedded postgres: ${dataDir} is not empty but holds no cluster (no PG_VERSION); refusing to touch it`);
    }
    // e.g. EBUSY when dataDir is itself a mount point: PGlite will run initdb in place.
    log.warn("embedded postgres: could not move the new cluster into place; initializing in place", { error: String(err) });
    await mkdir(dataDir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
