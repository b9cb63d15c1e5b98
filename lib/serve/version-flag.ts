// `--version` for every service entrypoint: checked before anything else is imported, so it answers at the runtime's floor.

/** Prints "<service> <version>" and exits when the process was started with --version. */
export function exitIfVersionFlag(service: string, version: string): void {
  if (!process.argv.includes("--version")) return;
  console.log(`${service} ${version}`);
  process.exit(0);
}
