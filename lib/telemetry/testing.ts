// Test helper: tracing installed in this process with an in-memory exporter (every span sampled), and its removal.
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SamplerName } from "./config.ts";
import { installTracing } from "./tracing.ts";

export interface TestTracing {
  spans(): ReadableSpan[];
  reset(): void;
  /** Unregisters everything (tests share one process: always call it, e.g. in afterAll). */
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
  return { spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset(), close: () => t.closer.close() };
}
