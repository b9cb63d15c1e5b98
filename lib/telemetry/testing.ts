// Test helper: tracing installed in this process with an in-memory exporter (every span sampled), to pass to what is tested.
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SamplerName } from "./config.ts";
import { installTracing, type StartedTracing } from "./install-tracing.ts";

/** The tracing to hand to the code under test (`tracing: t`, logger `context: t.logContext`), and the spans it ended. */
export interface TestTracing extends StartedTracing {
  spans(): ReadableSpan[];
  reset(): void;
  /** Unregisters everything and turns this tracing off (tests share one process: always call it, e.g. in afterAll). */
  close(): Promise<void>;
}

export function installTestTracing(sampler: SamplerName = "always_on", ratio = 1): TestTracing {
  const exporter = new InMemorySpanExporter();
  const t = installTracing(
    {
      url: "http://127.0.0.1:0/v1/traces",
      protocol: "http/json",
      headers: {},
      timeoutMs: 1000,
      compression: "none",
      sampler,
      ratio,
      resource: { "service.name": "test" },
    },
    { spanProcessor: new SimpleSpanProcessor(exporter) },
  );
  // The same object, not a copy: closing it turns `enabled` off for everything it was given to.
  return Object.assign(t, { spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset(), close: () => t.closer.close() });
}
