// Registry unit tests: exact exposition text, escaping, cumulative buckets, the series cap, misuse, and promtool on the output.
import { describe, expect, test } from "bun:test";
import { promtoolCheckMetrics } from "../testing/promtool.ts";
import { escapeHelp, escapeLabelValue, formatValue } from "./exposition.ts";
import { createRegistry, type GaugeSeries, OVERFLOW } from "./registry.ts";

describe("registry", () => {
  test("counters and gauges render HELP, TYPE and one line per label set, in registration order", () => {
    const r = createRegistry();
    const jobs = r.counter({ name: "jobs_total", help: "Jobs done", labelNames: ["kind", "outcome"] });
    jobs.labels("email", "ok").inc();
    jobs.labels("email", "ok").inc(2);
    jobs.labels("sms", "failed").inc();
    r.gauge({ name: "queue_depth", help: "Jobs waiting" }).labels().set(7);
    expect(r.render()).toBe(
      [
        "# HELP jobs_total Jobs done",
        "# TYPE jobs_total counter",
        'jobs_total{kind="email",outcome="ok"} 3',
        'jobs_total{kind="sms",outcome="failed"} 1',
        "# HELP queue_depth Jobs waiting",
        "# TYPE queue_depth gauge",
        "queue_depth 7",
        "",
      ].join("\n"),
    );
  });

  test("histograms: cumulative _bucket lines with le, +Inf, _sum and _count; a value on a bound counts in that bucket", () => {
    const r = createRegistry();
    const h = r.histogram({ name: "latency_seconds", help: "Latency", labelNames: ["op"], buckets: [0.1, 0.5, 1] });
    for (const v of [0.05, 0.1, 0.3, 2, 7]) h.labels("read").observe(v);
    expect(r.render()).toBe(
      [
        "# HELP latency_seconds Latency",
        "# TYPE latency_seconds histogram",
        'latency_seconds_bucket{op="read",le="0.1"} 2',
        'latency_seconds_bucket{op="read",le="0.5"} 3',
        'latency_seconds_bucket{op="read",le="1"} 3',
        'latency_seconds_bucket{op="read",le="+Inf"} 5',
        'latency_seconds_sum{op="read"} 9.45',
        'latency_seconds_count{op="read"} 5',
        "",
      ].join("\n"),
    );
  });

  test("an unlabelled histogram renders le alone and starts at zero", () => {
    const r = createRegistry();
    r.histogram({ name: "h", help: "x", buckets: [1, Number.POSITIVE_INFINITY] });
    expect(r.render()).toContain('h_bucket{le="1"} 0\nh_bucket{le="+Inf"} 0\nh_sum 0\nh_count 0\n');
  });

  test('escaping: HELP escapes \\ and newline; label values escape \\, " and newline', () => {
    expect(escapeHelp('a\\b\nc"d')).toBe('a\\\\b\\nc"d');
    expect(escapeLabelValue('a\\b\nc"d')).toBe('a\\\\b\\nc\\"d');
    const r = createRegistry();
    r.counter({ name: "c_total", help: "line one\nline \\two", labelNames: ["v"] })
      .labels('say "hi"\\\n')
      .inc();
    expect(r.render()).toBe('# HELP c_total line one\\nline \\\\two\n# TYPE c_total counter\nc_total{v="say \\"hi\\"\\\\\\n"} 1\n');
  });

  test("special values render as Prometheus spells them", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.25, 1e21].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf", "0.25", "1e+21"]);
  });

  test("labels(…) returns the same series for the same values, so callers can resolve once and keep it", () => {
    const c = createRegistry().counter({ name: "x_total", help: "x", labelNames: ["a"] });
    expect(c.labels("1")).toBe(c.labels("1"));
    expect(c.labels("1")).not.toBe(c.labels("2"));
  });

  test("past maxSeries, new label sets collapse into one _overflow series instead of growing", () => {
    const r = createRegistry();
    const c = r.counter({ name: "x_total", help: "x", labelNames: ["a", "b"], maxSeries: 2 });
    for (let i = 0; i < 50; i++) c.labels(String(i), "z").inc();
    const lines = r
      .render()
      .split("\n")
      .filter((l) => l.startsWith("x_total"));
    expect(lines).toEqual(['x_total{a="0",b="z"} 1', 'x_total{a="1",b="z"} 1', `x_total{a="${OVERFLOW}",b="${OVERFLOW}"} 48`]);
  });

  test("collect runs before each render", () => {
    const r = createRegistry();
    let n = 0;
    const g: GaugeSeries = r.gauge({ name: "g", help: "x", collect: () => g.set(++n) }).labels();
    expect(r.render()).toContain("g 1\n");
    expect(r.render()).toContain("g 2\n");
  });

  test("misuse throws at registration or resolution, not silently", () => {
    const r = createRegistry();
    r.counter({ name: "dup_total", help: "x" });
    expect(() => r.counter({ name: "dup_total", help: "x" })).toThrow("already registered");
    expect(() => r.counter({ name: "bad-name", help: "x" })).toThrow("invalid metric name");
    expect(() => r.counter({ name: "ok_total", help: "x", labelNames: ["__x"] })).toThrow("invalid label name");
    expect(() => r.counter({ name: "ok2_total", help: "x", labelNames: ["a", "a"] })).toThrow("duplicate label name");
    expect(() => r.histogram({ name: "h1", help: "x", labelNames: ["le"], buckets: [1] })).toThrow("reserved");
    expect(() => r.histogram({ name: "h2", help: "x", buckets: [1, 1] })).toThrow("strictly increasing");
    expect(() => r.histogram({ name: "h3", help: "x", buckets: [] })).toThrow("at least one");
    const c = r.counter({ name: "c_total", help: "x", labelNames: ["a"] });
    expect(() => (c.labels as (...v: string[]) => unknown)()).toThrow("expected 1 label values");
    expect(() => c.labels("x").inc(-1)).toThrow("only goes up");
  });

  test("promtool accepts the output", async () => {
    const r = createRegistry();
    r.counter({ name: "jobs_total", help: "Jobs done", labelNames: ["kind"] })
      .labels('we"ird\\\nvalue')
      .inc();
    r.gauge({ name: "queue_depth", help: "Jobs waiting" }).labels().set(-3.5);
    r.histogram({ name: "latency_seconds", help: "Latency", labelNames: ["op"], buckets: [0.1, 1] })
      .labels("read")
      .observe(0.3);
    r.counter({ name: "empty_total", help: "No series yet", labelNames: ["x"] });
    expect(await promtoolCheckMetrics(r.render())).toEqual({ ok: true, output: "" });
  });
});
