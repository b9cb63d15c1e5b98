// Checks the alert rules (promtool check + unit tests, runbooks, firing and quiet cases) and that rules and dashboard query only the metric contract.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promtoolCheckRules, promtoolTestRules } from "../lib/testing/promtool.ts";
import { HISTOGRAM_FAMILIES, METRIC_FAMILIES } from "./metrics-contract.ts";

const promDir = join(import.meta.dir, "prometheus");
const ruleFiles = readdirSync(join(promDir, "rules"))
  .filter((f) => f.endsWith(".yml"))
  .map((f) => join(promDir, "rules", f));
const testFiles = readdirSync(join(promDir, "tests"))
  .filter((f) => f.endsWith(".yml"))
  .map((f) => join(promDir, "tests", f));

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}
interface TestFile {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: AlertTest[] }[];
}

const yaml = <T>(path: string) => Bun.YAML.parse(readFileSync(path, "utf8")) as T;
const rules = ruleFiles.flatMap((f) => yaml<{ groups: { rules: Rule[] }[] }>(f).groups.flatMap((g) => g.rules));
const alerts = rules.filter((r) => r.alert);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));

// The series the rules and the dashboard may select: every service's contract families (histograms as their series).
const CONTRACT = new Set([
  ...Object.values(METRIC_FAMILIES)
    .flat()
    .flatMap((f) => (HISTOGRAM_FAMILIES.has(f) ? [`${f}_bucket`, `${f}_sum`, `${f}_count`] : [f])),
  "up", // written by Prometheus itself for every target
]);

const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan"]);

/** The metric names a PromQL expression (or a Grafana query using $variables) selects. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals (label values, regexes)
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // range and subquery selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ") // label lists
    .replace(/\$\{?\w+\}?/g, " ") // Grafana variables
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?(ms|[smhdwy])?\b/gi, " "); // numbers and durations
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)].filter((m) => !m[2] && !KEYWORDS.has(m[1] as string)).map((m) => m[1] as string);
}

test("metricNames finds the selected metrics and nothing else", () => {
  expect(metricNames('sum by (job, le) (rate(a_bucket{job=~"$job", le="0.5"}[5m])) / on(job) b:rec:rate5m > (14.4 * 0.01) and c offset 1h')).toEqual([
    "a_bucket",
    "b:rec:rate5m",
    "c",
  ]);
});

test("promtool check rules accepts every rule file", async () => {
  expect(ruleFiles.length).toBeGreaterThan(0);
  const r = await promtoolCheckRules(ruleFiles);
  if (!r.ok) console.error(r.output);
  expect(r.ok).toBe(true);
});

test("promtool test rules passes every rule unit-test file", async () => {
  expect(testFiles.length).toBeGreaterThan(0);
  const r = await promtoolTestRules(testFiles);
  if (!r.ok) console.error(r.output);
  expect(r.ok).toBe(true);
}, 30_000);

test("every rule file has a unit-test file, and every test file loads existing rule files", () => {
  const tested = new Set(testFiles.flatMap((f) => yaml<TestFile>(f).rule_files.map((r) => join(promDir, "tests", r))));
  expect(ruleFiles.filter((f) => !tested.has(f))).toEqual([]);
  expect([...tested].filter((f) => !ruleFiles.includes(f))).toEqual([]);
});

test("every alert is a symptom alert with a severity, a summary, a description and a one-line runbook", () => {
  expect(alerts.length).toBeGreaterThanOrEqual(9);
  for (const a of alerts) {
    expect([a.alert, a.labels?.severity]).toEqual([a.alert, expect.stringMatching(/^(page|ticket)$/)]);
    for (const key of ["summary", "description", "runbook"])
      expect([a.alert, key, a.annotations?.[key]]).toEqual([a.alert, key, expect.stringMatching(/^[^\n]{20,}$/)]);
  }
  expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
});

test("every alert has at least one firing and one not-firing unit test", () => {
  const cases = testFiles.flatMap((f) => yaml<TestFile>(f).tests.flatMap((t) => t.alert_rule_test ?? []));
  const firing = new Set(cases.filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => c.alertname));
  const quiet = new Set(cases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => c.alertname));
  const names = alerts.map((a) => a.alert as string);
  expect(names.filter((n) => !firing.has(n))).toEqual([]);
  expect(names.filter((n) => !quiet.has(n))).toEqual([]);
  // And no test names an alert that does not exist.
  expect([...firing, ...quiet].filter((n) => !names.includes(n))).toEqual([]);
});

test("rules select only contract metrics and recorded series", () => {
  const unknown = rules.flatMap((r) => metricNames(r.expr).filter((m) => !CONTRACT.has(m) && !recorded.has(m)));
  expect(unknown).toEqual([]);
});

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
const dashboardDir = join(import.meta.dir, "grafana", "dashboards");
const dashboards = readdirSync(dashboardDir)
  .filter((f) => f.endsWith(".json"))
  .map(
    (f) => JSON.parse(readFileSync(join(dashboardDir, f), "utf8")) as { uid: string; panels: Panel[]; templating: { list: { query: { query: string } }[] } },
  );
const datasourceUids = yaml<{ datasources: { uid: string }[] }>(
  join(import.meta.dir, "grafana", "provisioning", "datasources", "datasources.yml"),
).datasources.map((d) => d.uid);

test("the dashboard is valid JSON with unique panel ids, and every panel queries a provisioned data source", () => {
  expect(dashboards.length).toBeGreaterThan(0);
  for (const d of dashboards) {
    expect(d.uid).toBeString();
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of d.panels.filter((p) => p.type !== "row")) {
      expect([p.title, (p.targets ?? []).length > 0]).toEqual([p.title, true]);
      for (const uid of [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]) expect(datasourceUids).toContain(uid as string);
    }
  }
});

test("the dashboard queries only contract metrics and recorded series, and shows every one of them", () => {
  const queried = dashboards.flatMap((d) => [
    ...d.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))),
    ...d.templating.list.flatMap((v) => metricNames(v.query.query.replace(/^label_values\(([^,]+),.*$/, "$1"))),
  ]);
  expect(queried.filter((m) => !CONTRACT.has(m) && !recorded.has(m))).toEqual([]);
  // Histograms count as shown when any of their series is.
  const shown = new Set(queried.map((m) => m.replace(/_(bucket|sum|count)$/, "")));
  expect([...CONTRACT].filter((m) => !shown.has(m.replace(/_(bucket|sum|count)$/, "")))).toEqual([]);
});
