// The API reference renderer (Scalar's standalone bundle, pinned in package.json), embedded in the executable; loaded on first use only.
// Imported dynamically by docs.ts: the 4.9 MB asset is read when /docs is first asked for, never at process start.
import { readFile } from "node:fs/promises";
// Relative paths: the package's exports map does not list these files. `type: "file"` makes `bun build --compile` embed the bundle.
import bundle from "../../node_modules/@scalar/api-reference/dist/browser/standalone.js" with { type: "file" };
import pkg from "../../node_modules/@scalar/api-reference/package.json" with { type: "json" };

export interface Renderer {
  version: string;
  js: Uint8Array<ArrayBuffer>;
  /** The same, gzip-compressed (about a quarter of the size), for clients that accept it. */
  gzip: Uint8Array<ArrayBuffer>;
}

export async function loadRenderer(): Promise<Renderer> {
  const js = new Uint8Array(await readFile(bundle));
  const gzip = new Uint8Array(await new Response(new Blob([js]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
  return { version: pkg.version, js, gzip };
}
