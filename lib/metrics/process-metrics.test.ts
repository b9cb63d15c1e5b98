// Process metrics: values present and plausible, the lag sampler notices a blocked loop, promtool accepts them.
import { expect, test } from "bun:test";
import { sampleValue } from "../testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../testing/promtool.ts";
import { startProcessMetrics } from "./process-metrics.ts";
import { createRegistry } from "./registry.ts";

test("process metrics: memory, uptime, start time, and event-loop lag that sees a blocked loop", async () => {
  const registry = createRegistry();
  const pm = startProcessMetrics(registry, { sampleIntervalMs: 10 });
  try {
    await Bun.sleep(30);
    const blockUntil = performance.now() + 120;
    while (performance.now() < blockUntil) {} // block the event loop
    await Bun.sleep(30);
    const text = registry.render();
    expect(sampleValue(text, "process_resident_memory_bytes")).toBeGreaterThan(1024 * 1024);
    expect(sampleValue(text, "process_uptime_seconds")).toBeGreaterThan(0.1);
    expect(sampleValue(text, "process_open_fds")).toBeGreaterThan(2); // stdin, stdout, stderr at least
    expect(Math.abs(sampleValue(text, "process_start_time_seconds") - Date.now() / 1000)).toBeLessThan(60);
    expect(sampleValue(text, "process_event_loop_lag_seconds_count")).toBeGreaterThan(2);
    // The timer due during the block fired ~110 ms late.
    expect(sampleValue(text, 'process_event_loop_lag_seconds_bucket{le="0.05"}')).toBeLessThan(sampleValue(text, "process_event_loop_lag_seconds_count"));
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  } finally {
    pm.stop();
  }
});
