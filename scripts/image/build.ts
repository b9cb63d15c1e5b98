// `npm run image -- <service>… | --all [--floor] [--with-embedded-database]`: writes dist/images/<name>.oci.tar, offline.
//
// The executable is compiled by scripts/build.ts (without PGlite unless --with-embedded-database), the files around it
// come from rootfs.txt (which Dockerfile.bun's build stage reads too), and buildah assembles a scratch image.
// --floor also images a compiled hello-world (hello.ts) built the same way: the size every service is compared with.
import { mkdir, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { VERSION } from "../../lib/version.ts";
import { compile } from "../build.ts";
import { buildImage } from "./buildah.ts";
import { inspectOciArchive } from "./oci-archive.ts";
import { readRootfsList } from "./rootfs.ts";

const ROOT = resolve(import.meta.dir, "../..");
export const FLOOR = "hello";

export interface BuiltImage {
  name: string;
  archive: string;
  reference: string;
  uncompressedBytes: number;
  compressedBytes: number;
}

/** Compiles `name` (a service, or FLOOR for hello.ts) and images it into `outDir/<name>.oci.tar`. */
export async function buildNamedImage(name: string, opts: { outDir: string; withEmbeddedDatabase?: boolean }): Promise<BuiltImage> {
  const entry = name === FLOOR ? join(import.meta.dir, "hello.ts") : join(ROOT, "services", name, "main.ts");
  if (!(await Bun.file(entry).exists())) throw new Error(`no service "${name}" (expected ${entry})`);
  await mkdir(join(opts.outDir, "bin"), { recursive: true });
  const executable = join(opts.outDir, "bin", name);
  await compile(entry, executable, { withEmbeddedDatabase: opts.withEmbeddedDatabase ?? false });
  const archive = join(opts.outDir, `${name}.oci.tar`);
  const reference = `localhost/bun-platform/${name}:${VERSION}`;
  await buildImage({ reference, executable, entries: await readRootfsList(), archive });
  const image = await inspectOciArchive(archive);
  const sum = (f: (l: (typeof image.layers)[number]) => number) => image.layers.reduce((n, l) => n + f(l), 0);
  return { name, archive, reference, uncompressedBytes: sum((l) => l.uncompressedBytes), compressedBytes: sum((l) => l.compressedBytes) };
}

export async function serviceNames(): Promise<string[]> {
  const dirs = await readdir(join(ROOT, "services"), { withFileTypes: true });
  return dirs
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** One line per image: uncompressed and compressed (gzip layers) size, and the difference to the floor when built. */
export function sizeReport(images: BuiltImage[]): string {
  const floor = images.find((i) => i.name === FLOOR);
  return images
    .map((i) => {
      const vs =
        floor && i !== floor ? `  (floor +${mb(i.uncompressedBytes - floor.uncompressedBytes)} / +${mb(i.compressedBytes - floor.compressedBytes)})` : "";
      return `${i.name.padEnd(14)} ${mb(i.uncompressedBytes).padStart(9)} uncompressed  ${mb(i.compressedBytes).padStart(8)} compressed${vs}  ${i.archive}`;
    })
    .join("\n");
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { all: { type: "boolean" }, floor: { type: "boolean" }, "with-embedded-database": { type: "boolean" }, "out-dir": { type: "string" } },
    allowPositionals: true,
  });
  const names = [...(values.all ? await serviceNames() : positionals), ...(values.floor ? [FLOOR] : [])];
  if (names.length === 0) {
    console.error("usage: npm run image -- <service>… | --all [--floor] [--with-embedded-database] [--out-dir DIR]");
    process.exit(2);
  }
  const outDir = resolve(values["out-dir"] ?? join(ROOT, "dist", "images"));
  const built: BuiltImage[] = [];
  for (const name of names) {
    const started = performance.now();
    try {
      built.push(await buildNamedImage(name, { outDir, withEmbeddedDatabase: values["with-embedded-database"] }));
    } catch (err) {
      console.error(`image ${name}: ${(err as Error).message}`);
      process.exit(1);
    }
    console.log(`image ${name}: ${built.at(-1)?.archive} in ${Math.round(performance.now() - started)} ms`);
  }
  console.log(sizeReport(built));
}
