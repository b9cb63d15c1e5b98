// Test helper: runs promtool (check metrics, check rules, test rules); a missing promtool fails the caller (never skips it).
const BINARIES = [process.env.PROMTOOL_BIN, "promtool", "/usr/bin/promtool"].filter(Boolean) as string[];

export interface PromtoolResult {
  ok: boolean;
  /** promtool's findings (stdout and stderr), empty when the text is clean. */
  output: string;
}

export function findPromtool(): string {
  for (const b of BINARIES) {
    const path = b.includes("/") ? (Bun.file(b).size > 0 ? b : null) : Bun.which(b);
    if (path) return path;
  }
  throw new Error("promtool not found: run scripts/ci/ensure-promtool.sh (apt-get install prometheus), and call it from .ci/run before the tests");
}

async function promtool(args: string[], stdin?: string): Promise<PromtoolResult> {
  const proc = Bun.spawn([findPromtool(), ...args], { stdin: stdin === undefined ? "ignore" : new Blob([stdin]), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { ok: code === 0, output: `${stdout}${stderr}`.trim() };
}

/** `promtool check metrics`: lints Prometheus exposition text. */
export function promtoolCheckMetrics(text: string): Promise<PromtoolResult> {
  return promtool(["check", "metrics"], text);
}

/** `promtool check rules`: syntax, PromQL and duplicate checks of rule files. */
export function promtoolCheckRules(files: readonly string[]): Promise<PromtoolResult> {
  return promtool(["check", "rules", ...files]);
}

/** `promtool test rules`: runs rule unit-test files (their rule_files paths are relative to each test file). */
export function promtoolTestRules(files: readonly string[]): Promise<PromtoolResult> {
  return promtool(["test", "rules", ...files]);
}

/** `promtool check config`: a Prometheus configuration file and the rule files it loads. */
export function promtoolCheckConfig(file: string): Promise<PromtoolResult> {
  return promtool(["check", "config", file]);
}
