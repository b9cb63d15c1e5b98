// Prometheus text exposition format 0.0.4: escaping, number formatting and label-set rendering.

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP text escapes backslash and line feed. */
export const escapeHelp = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

/** Label values escape backslash, double quote and line feed. */
export const escapeLabelValue = (s: string): string => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

/** `a="x",b="y"` (no braces), so histograms can append `le`. */
export function renderLabelPairs(names: readonly string[], values: readonly string[]): string {
  return names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? "")}"`).join(",");
}

export const braces = (pairs: string): string => (pairs === "" ? "" : `{${pairs}}`);

export function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name: ${JSON.stringify(name)}`);
}

export function assertLabelNames(metric: string, names: readonly string[], reserved: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (!LABEL_NAME.test(n) || n.startsWith("__")) throw new Error(`${metric}: invalid label name ${JSON.stringify(n)}`);
    if (reserved.includes(n)) throw new Error(`${metric}: label name "${n}" is reserved`);
    if (seen.has(n)) throw new Error(`${metric}: duplicate label name "${n}"`);
    seen.add(n);
  }
}
