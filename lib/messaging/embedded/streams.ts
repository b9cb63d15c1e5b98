// Stream configs of the embedded broker: create/update them, and route a subject to its stream from a refreshed cache.
import type { Sql } from "../../db/postgres.ts";
import type { StreamConfig } from "../types.ts";
import { isValidSubject, patternsOverlap, subjectMatches } from "./subjects.ts";

export interface StreamInfo {
  name: string;
  subjects: string[];
  duplicateWindowMs: number;
  maxMessageBytes: number | null;
  maxAgeMs: number;
}

type Row = { name: string; subjects: string[]; duplicate_window_ms: string; max_message_bytes: number | null; max_age_ms: string };

/** Stream configs change rarely; other processes' changes are picked up within this long. */
const CACHE_TTL_MS = 5_000;

export interface StreamRegistry {
  ensure(config: StreamConfig): Promise<void>;
  /** The stream storing `subject`, reloading once when the cache has none (a stream made elsewhere); undefined if none. */
  route(subject: string): StreamInfo | undefined | Promise<StreamInfo | undefined>;
  /** The stream called `name`, reloading once on a miss. */
  byName(name: string): Promise<StreamInfo | undefined>;
}

export function createStreamRegistry(sql: Sql): StreamRegistry {
  let cache: StreamInfo[] = [];
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<StreamInfo[]> | undefined;

  const load = () =>
    (loading ??= (async () => {
      try {
        const rows = await sql<Row[]>`select name, subjects, duplicate_window_ms, max_message_bytes, max_age_ms from broker.streams order by name`;
        cache = rows.map((r) => ({
          name: r.name,
          subjects: r.subjects,
          duplicateWindowMs: Number(r.duplicate_window_ms),
          maxMessageBytes: r.max_message_bytes,
          maxAgeMs: Number(r.max_age_ms),
        }));
        loadedAt = Date.now();
        return cache;
      } finally {
        loading = undefined;
      }
    })());

  const find = (list: StreamInfo[], subject: string) => list.find((s) => s.subjects.some((p) => subjectMatches(p, subject)));

  return {
    async ensure(config) {
      if (!/^[^\s.*>]+$/.test(config.name)) throw new Error(`invalid stream name ${JSON.stringify(config.name)}`);
      const bad = config.subjects.find((s) => !isValidSubject(s, true));
      if (bad !== undefined || config.subjects.length === 0) throw new Error(`stream ${config.name}: invalid subjects ${JSON.stringify(config.subjects)}`);
      for (const other of await load()) {
        if (other.name === config.name) continue;
        const clash = config.subjects.find((s) => other.subjects.some((o) => patternsOverlap(s, o)));
        if (clash) throw new Error(`stream ${config.name}: subject ${clash} overlaps stream ${other.name} (${other.subjects.join(", ")})`);
      }
      await sql`
        insert into broker.streams (name, subjects, duplicate_window_ms, max_message_bytes, max_age_ms)
        values (${config.name}, ${config.subjects}::text[], ${config.duplicateWindowMs}, ${config.maxMessageBytes ?? null}, ${config.maxAgeMs ?? 0})
        on conflict (name) do update set subjects = excluded.subjects, duplicate_window_ms = excluded.duplicate_window_ms,
          max_message_bytes = excluded.max_message_bytes, max_age_ms = excluded.max_age_ms`;
      await load();
    },
    route(subject) {
      const hit = Date.now() - loadedAt < CACHE_TTL_MS ? find(cache, subject) : undefined;
      return hit ?? load().then((list) => find(list, subject));
    },
    async byName(name) {
      return cache.find((s) => s.name === name) ?? (await load()).find((s) => s.name === name);
    },
  };
}
