// The INFERENCE_MODELS registry: public model name → protocol, backend pool and per-model limits, as a zod schema.
import { z } from "zod";
import { backendUrlProblems } from "./backend-url.ts";

export const PROTOCOLS = ["oip-v2", "openai"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Token-budget group names (INFERENCE_TOKEN_BUDGETS keys; also the RateLimit-Policy name). */
export const GROUP_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** Public model names: one path segment, no dots-only names, nothing a URL would need to escape. */
export const MODEL_NAME = /^(?!\.{1,2}$)[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const ms = (max: number) => z.number().int().min(1).max(max);
const count = (max: number) => z.number().int().min(1).max(max);

const backendUrl = z.string().superRefine((text, ctx) => {
  for (const message of backendUrlProblems(text)) ctx.addIssue({ code: "custom", message });
});

export const backendSchema = z.strictObject({
  url: backendUrl,
  /** The model's name at the backend; default: the public name. */
  model: z
    .string()
    .min(1)
    .max(256)
    .regex(/^(?!\.{1,2}$)[^\s\p{Cc}%?#\\]+$/u, "must be a name without spaces, control characters, %, ?, # or \\ (and not . or ..)")
    .optional(),
  /** Name of the environment variable holding this backend's API key (sent to this backend only, as a bearer token). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name (A-Z, 0-9, _)")
    .optional(),
  /** Share of the traffic relative to the pool's other backends (least outstanding requests per weight). */
  weight: count(1_000).default(1),
  /** Calls in flight to this backend at most; a saturated backend is skipped. */
  maxConcurrency: count(100_000).optional(),
});

export const timeoutsSchema = z.strictObject({
  connectMs: ms(60_000).optional(),
  firstByteMs: ms(3_600_000).optional(),
  idleMs: ms(3_600_000).optional(),
  totalMs: ms(3_600_000).optional(),
});

export const modelSchema = z
  .strictObject({
    protocol: z.enum(PROTOCOLS),
    backends: z.array(backendSchema).min(1).max(64),
    timeouts: timeoutsSchema.optional(),
    maxConcurrency: count(100_000).optional(),
    queueSize: z.number().int().min(0).max(1_000_000).optional(),
    queueTimeoutMs: ms(600_000).optional(),
    maxRequestBytes: count(64 * 1024 * 1024).optional(),
    maxResponseBytes: count(1024 * 1024 * 1024).optional(),
    maxSseLineBytes: count(16 * 1024 * 1024).optional(),
    maxTensorElements: count(1_000_000_000).optional(),
    retries: z.number().int().min(0).max(5).optional(),
    /** The token-budget group (INFERENCE_TOKEN_BUDGETS) its calls are charged to; default: the model's name. */
    group: z.string().regex(GROUP_NAME, "must be 1-64 of a-z 0-9 _ - starting with a letter").optional(),
    maxOutputTokens: count(10_000_000).optional(),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.backends.forEach((b, i) => {
      const key = `${b.url.replace(/\/+$/, "")} ${b.model ?? ""}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["backends", i, "url"], message: "the same backend is listed twice" });
      seen.add(key);
    });
  });

export const registrySchema = z.record(z.string(), modelSchema).superRefine(
  (r, ctx) => {
    if (typeof r !== "object" || r === null || Array.isArray(r)) return;
    const names = Object.keys(r);
    if (names.length === 0) ctx.addIssue({ code: "custom", message: "must name at least one model" });
    for (const name of names) {
      if (!MODEL_NAME.test(name))
        ctx.addIssue({ code: "custom", path: [name], message: "model names are 1-128 of A-Z a-z 0-9 . _ : - (starting with a letter or digit)" });
    }
  },
  // Names are checked even when a model's settings are invalid, so one message lists every problem.
  { when: () => true } as never,
);

export type RawRegistry = z.infer<typeof registrySchema>;
export type RawModel = z.infer<typeof modelSchema>;
export type RawBackend = z.infer<typeof backendSchema>;
