// Test helper: the Deno executable for the tests that run code on Deno. DENO_BIN, then `deno` on PATH, then the copy
// under .tools/deno; when there is none, it is installed there from npm (the `deno` package, pinned below). It is not a
// devDependency because npm ci needs every platform's optional binary in the lock file, and this registry mirror
// carries only linux-x64's.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const DENO_VERSION = "2.9.6";
const ROOT = resolve(import.meta.dir, "../..");
const PREFIX = join(ROOT, ".tools", "deno");
const LOCAL = join(PREFIX, "node_modules", ".bin", "deno");

export async function denoBinary(): Promise<string> {
  const found = process.env.DENO_BIN || Bun.which("deno") || (existsSync(LOCAL) ? LOCAL : undefined);
  if (found) return found;
  const install = Bun.spawn(["npm", "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", PREFIX, `deno@${DENO_VERSION}`], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, err] = await Promise.all([install.exited, new Response(install.stderr as ReadableStream).text()]);
  if (code !== 0 || !existsSync(LOCAL)) throw new Error(`could not install deno@${DENO_VERSION} from npm into ${PREFIX} (exit ${code}):\n${err}`);
  return LOCAL;
}
