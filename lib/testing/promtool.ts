// Test helper: runs `promtool check metrics` on exposition text; a missing promtool fails the test (never skips it).
const BINARIES = [process.env.PROMTOOL_BIN, "promtool", "/usr/bin/promtool"].filter(Boolean) as string[];

export interface PromtoolResult {
  ok: boolean;
  /** promtool's findings (stdout and stderr), empty when the text is clean. */
  output: string;
}

function findPromtool(): string {
  for (const b of BINARIES) {
    const path = b.includes("/") ? (Bun.file(b).size > 0 ? b : null) : Bun.which(b);
    if (path) return path;
  }
  throw new Error("promtool not found: run scripts/ci/ensure-promtool.sh (apt-get install prometheus), and call it from .ci/run before the tests");
}

export async function promtoolCheckMetrics(text: string): Promise<PromtoolResult> {
  const proc = Bun.spawn([findPromtool(), "check", "metrics"], { stdin: new Blob([text]), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { ok: code === 0, output: `${stdout}${stderr}`.trim() };
}
