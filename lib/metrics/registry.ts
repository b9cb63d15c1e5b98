// A small metrics registry: counters, gauges and fixed-bucket histograms over bounded label sets, rendered for Prometheus.
import { assertLabelNames, assertMetricName, braces, escapeHelp, formatValue, renderLabelPairs } from "./exposition.ts";

/** Label values of a series, one per declared label name. */
export type LabelValues<L extends readonly string[]> = { [K in keyof L]: string };

// The current values are readable (tests, gauges computed from them); only the methods should change them.
export interface CounterSeries {
  inc(by?: number): void;
  value: number;
}
export interface GaugeSeries {
  set(v: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
  value: number;
}
export interface HistogramSeries {
  observe(v: number): void;
  count: number;
  sum: number;
}

/** A metric family. Resolve a series once with labels(…) and keep it: the hot path then costs no lookup. */
export interface Family<L extends readonly string[], S> {
  readonly name: string;
  labels(...values: LabelValues<L>): S;
}

export interface FamilyOptions<L extends readonly string[]> {
  name: string;
  help: string;
  labelNames?: L;
  /**
   * Most label sets this family holds. Labels must be bounded by construction (route templates, status codes,
   * closed enums; never raw paths, ids, users or keys); past the cap every value reads "_overflow".
   */
  maxSeries?: number;
  /** Called before each render, e.g. to set a gauge from a sampled value. */
  collect?: () => void;
}

export interface HistogramOptions<L extends readonly string[]> extends FamilyOptions<L> {
  /** Upper bounds, strictly increasing; `+Inf` is implicit. */
  buckets: readonly number[];
}

export interface Registry {
  counter<const L extends readonly string[] = []>(opts: FamilyOptions<L>): Family<L, CounterSeries>;
  gauge<const L extends readonly string[] = []>(opts: FamilyOptions<L>): Family<L, GaugeSeries>;
  histogram<const L extends readonly string[] = []>(opts: HistogramOptions<L>): Family<L, HistogramSeries>;
  /** The whole registry in text exposition format 0.0.4. */
  render(): string;
}

export const DEFAULT_MAX_SERIES = 1000;
export const OVERFLOW = "_overflow";

type Renders = { write(name: string, pairs: string, out: string[]): void };
interface FamilyState {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  collect?: () => void;
  series: Map<string, { pairs: string; s: Renders }>;
}

const sample = (out: string[], name: string, pairs: string, v: number) => out.push(`${name}${braces(pairs)} ${formatValue(v)}`);

function counterSeries(): CounterSeries & Renders {
  return {
    value: 0,
    inc(by = 1) {
      if (!(by >= 0)) throw new Error("a counter only goes up");
      this.value += by;
    },
    write(name, pairs, out) {
      sample(out, name, pairs, this.value);
    },
  };
}

function gaugeSeries(): GaugeSeries & Renders {
  return {
    value: 0,
    set(v) {
      this.value = v;
    },
    inc(by = 1) {
      this.value += by;
    },
    dec(by = 1) {
      this.value -= by;
    },
    write(name, pairs, out) {
      sample(out, name, pairs, this.value);
    },
  };
}

function histogramSeries(bounds: readonly number[]): HistogramSeries & Renders {
  const counts = new Float64Array(bounds.length + 1); // per bucket, not cumulative; the last is (max, +Inf]
  const les = [...bounds.map(formatValue), "+Inf"];
  return {
    count: 0,
    sum: 0,
    observe(v) {
      let i = 0;
      while (i < bounds.length && v > (bounds[i] as number)) i++;
      counts[i] = (counts[i] as number) + 1;
      this.count++;
      this.sum += v;
    },
    write(name, pairs, out) {
      const sep = pairs === "" ? "" : ",";
      let cumulative = 0;
      for (let i = 0; i < les.length; i++) {
        cumulative += counts[i] as number;
        out.push(`${name}_bucket{${pairs}${sep}le="${les[i]}"} ${cumulative}`);
      }
      sample(out, `${name}_sum`, pairs, this.sum);
      sample(out, `${name}_count`, pairs, this.count);
    },
  };
}

function checkBuckets(name: string, buckets: readonly number[]): number[] {
  const bounds = buckets.filter((b) => b !== Number.POSITIVE_INFINITY);
  if (bounds.length === 0) throw new Error(`${name}: a histogram needs at least one finite bucket`);
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i] as number;
    if (!Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number))) throw new Error(`${name}: buckets must be finite and strictly increasing`);
  }
  return bounds;
}

export function createRegistry(): Registry {
  const families: FamilyState[] = [];

  function family<L extends readonly string[], S>(
    type: FamilyState["type"],
    opts: FamilyOptions<L>,
    make: () => S & Renders,
    reserved: string[] = [],
  ): Family<L, S> {
    assertMetricName(opts.name);
    if (families.some((f) => f.name === opts.name)) throw new Error(`metric ${opts.name} is already registered`);
    const labelNames: readonly string[] = opts.labelNames ?? [];
    assertLabelNames(opts.name, labelNames, reserved);
    const max = opts.maxSeries ?? DEFAULT_MAX_SERIES;
    const state: FamilyState = { name: opts.name, help: opts.help, type, collect: opts.collect, series: new Map() };
    families.push(state);
    const labels = (...values: LabelValues<L>): S => {
      let vals: readonly string[] = values;
      if (vals.length !== labelNames.length) throw new Error(`${opts.name}: expected ${labelNames.length} label values, got ${vals.length}`);
      let key = vals.join("\u0000");
      let entry = state.series.get(key);
      if (!entry && state.series.size >= max) {
        vals = labelNames.map(() => OVERFLOW);
        key = vals.join("\u0000");
        entry = state.series.get(key);
      }
      if (!entry) {
        entry = { pairs: renderLabelPairs(labelNames, vals), s: make() };
        state.series.set(key, entry);
      }
      return entry.s as unknown as S;
    };
    // An unlabelled family exposes its one series from the start, at zero.
    if (labelNames.length === 0) (labels as () => S)();
    return { name: opts.name, labels };
  }

  return {
    counter: (opts) => family("counter", opts, counterSeries),
    gauge: (opts) => family("gauge", opts, gaugeSeries),
    histogram: (opts) => {
      const bounds = checkBuckets(opts.name, opts.buckets);
      return family("histogram", opts, () => histogramSeries(bounds), ["le"]);
    },
    render() {
      const out: string[] = [];
      for (const f of families) {
        f.collect?.();
        out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
        for (const { pairs, s } of f.series.values()) s.write(f.name, pairs, out);
      }
      return out.length === 0 ? "" : `${out.join("\n")}\n`;
    },
  };
}
