// Validates AsyncAPI documents with the AsyncAPI parser (`npm run asyncapi:validate`): schema, references and the parser's rules.
import { Parser } from "@asyncapi/parser";

/** Spectral severities, as the parser reports them. */
const SEVERITY = ["error", "warning", "info", "hint"] as const;

export interface AsyncApiFinding {
  severity: (typeof SEVERITY)[number];
  code: string;
  message: string;
  path: string;
}

/** Every finding of the parser on `text`; the document is valid when none is an error. */
export async function validateAsyncApi(text: string): Promise<AsyncApiFinding[]> {
  const { diagnostics } = await new Parser().parse(text);
  return diagnostics.map((d) => ({
    severity: SEVERITY[d.severity] ?? "error",
    code: String(d.code),
    message: d.message,
    path: d.path.join("."),
  }));
}

if (import.meta.main) {
  const files = process.argv.slice(2);
  if (files.length === 0) files.push("openapi/events/asyncapi.json");
  let errors = 0;
  for (const file of files) {
    const findings = await validateAsyncApi(await Bun.file(file).text());
    for (const f of findings) console.log(`${file}: ${f.severity} ${f.code}: ${f.message}${f.path ? ` (at ${f.path})` : ""}`);
    const failed = findings.filter((f) => f.severity === "error").length;
    errors += failed;
    console.log(`${file}: ${failed === 0 ? "valid AsyncAPI" : `${failed} error(s)`} (${findings.length} finding(s))`);
  }
  if (errors > 0) process.exit(1);
}
