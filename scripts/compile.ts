// The one `bun build --compile` command for a service: `bun run build`, the image, the benchmarks and the executable tests use it.

/**
 * --bytecode needs --format=esm, or top-level await crashes at start (FIELD-NOTES). --splitting puts what a dynamic
 * `import()` loads into chunks of their own inside the executable, read only when that import runs: without it the
 * whole program is one chunk, and --version or a service without tracing, PGlite or NATS still loads their code.
 */
export const COMPILE_FLAGS = ["--compile", "--minify", "--bytecode", "--format=esm", "--splitting", "--target=bun-linux-x64"];

/** `bun build --compile … <entry> --outfile <outfile>`, run with the Bun running this script. */
export function compileCommand(entry: string, outfile: string): string[] {
  return [process.execPath, "build", ...COMPILE_FLAGS, entry, "--outfile", outfile];
}
