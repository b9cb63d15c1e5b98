// Reads the standard OTEL_* variables for tracing; every problem is reported at once, like the services' own config.
import { ConfigError, type Env } from "../config/env.ts";

export const SAMPLERS = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;
export type SamplerName = (typeof SAMPLERS)[number];
export type OtlpProtocol = "http/protobuf" | "http/json";

/** Head sampling keeps this share of new traces unless OTEL_TRACES_SAMPLER_ARG says otherwise. */
export const DEFAULT_SAMPLE_RATIO = 0.1;

export interface TracingConfig {
  /** OTLP/HTTP traces URL (…/v1/traces). */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
  compression: "gzip" | "none";
  sampler: SamplerName;
  /** Used by the ratio samplers. */
  ratio: number;
  /** service.name, service.version and OTEL_RESOURCE_ATTRIBUTES. */
  resource: Record<string, string>;
}

const get = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === "" ? undefined : v;
};

/** `key=value,key2=value2`, values percent-decoded (W3C Baggage style, as the spec asks). */
function parsePairs(name: string, raw: string | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = eq > 0 ? part.slice(0, eq).trim() : "";
    if (!key) {
      problems.push(`${name}: "${part.trim()}" is not key=value`);
      continue;
    }
    try {
      out[key] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      problems.push(`${name}: the value of "${key}" is not valid percent-encoding`);
    }
  }
  return out;
}

function tracesUrl(env: Env, problems: string[]): string | undefined {
  const specific = get(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const base = get(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  const name = specific ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT";
  const raw = specific ?? base;
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name}: must be an http:// or https:// URL`);
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    problems.push(`${name}: must be an http:// or https:// URL`);
    return undefined;
  }
  // The signal-specific endpoint is used as given; the general one gets the signal's path appended (spec).
  return specific ? raw : `${raw.replace(/\/+$/, "")}/v1/traces`;
}

function number(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    problems.push(`${name}: must be a number from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

/**
 * The tracing configuration, or undefined when tracing is off: no endpoint set, or OTEL_SDK_DISABLED=true.
 * Throws ConfigError listing every invalid variable.
 */
export function parseTracingEnv(service: string, version: string, env: Env): TracingConfig | undefined {
  const problems: string[] = [];
  const disabled = get(env, "OTEL_SDK_DISABLED")?.toLowerCase();
  if (disabled !== undefined && disabled !== "true" && disabled !== "false") problems.push("OTEL_SDK_DISABLED: must be true or false");
  const url = tracesUrl(env, problems);

  const protocol = get(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? get(env, "OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf";
  if (protocol !== "http/protobuf" && protocol !== "http/json")
    problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported; use http/protobuf or http/json`);

  const sampler = (get(env, "OTEL_TRACES_SAMPLER") ?? "parentbased_traceidratio") as SamplerName;
  if (!SAMPLERS.includes(sampler)) problems.push(`OTEL_TRACES_SAMPLER: must be one of ${SAMPLERS.join(", ")}`);
  const ratio = number(env, "OTEL_TRACES_SAMPLER_ARG", DEFAULT_SAMPLE_RATIO, 0, 1, problems);
  const timeoutMs = number(
    env,
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
    number(env, "OTEL_EXPORTER_OTLP_TIMEOUT", 10_000, 1, 600_000, problems),
    1,
    600_000,
    problems,
  );
  const compression = get(env, "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION") ?? get(env, "OTEL_EXPORTER_OTLP_COMPRESSION") ?? "none";
  if (compression !== "gzip" && compression !== "none") problems.push("OTEL_EXPORTER_OTLP_COMPRESSION: must be gzip or none");

  const headers = {
    ...parsePairs("OTEL_EXPORTER_OTLP_HEADERS", get(env, "OTEL_EXPORTER_OTLP_HEADERS"), problems),
    ...parsePairs("OTEL_EXPORTER_OTLP_TRACES_HEADERS", get(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"), problems),
  };
  const resource = parsePairs("OTEL_RESOURCE_ATTRIBUTES", get(env, "OTEL_RESOURCE_ATTRIBUTES"), problems);
  resource["service.name"] = get(env, "OTEL_SERVICE_NAME") ?? resource["service.name"] ?? service;
  resource["service.version"] ??= version;

  if (problems.length > 0) throw new ConfigError(service, problems);
  if (disabled === "true" || url === undefined) return undefined;
  return { url, protocol: protocol as OtlpProtocol, headers, timeoutMs, compression: compression as "gzip" | "none", sampler, ratio, resource };
}
