// What the server saw, for tests: requests per route, and when each recent request started, ended or was aborted.

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

export interface RequestRecord {
  id: number;
  method: string;
  path: string;
  /** The route pattern, e.g. "POST /v2/models/:name/infer". */
  route: string;
  model?: string;
  /** The fault applied, if any. */
  fault?: string;
  status?: number;
  /** The request's authorization, x-request-id and traceparent headers, when sent (what a gateway passed on). */
  headers: Record<string, string>;
  startedAt: number;
  /** When the answer was complete: the handler returned, or a streamed body sent its last chunk. */
  endedAt?: number;
  /** When the client went away before the answer was complete. */
  abortedAt?: number;
  /** For streamed bodies: when each chunk was handed to the server (fault prefixes not counted). */
  chunksSentAt?: number[];
}

export interface AbortRecord {
  id: number;
  route: string;
  path: string;
  model?: string;
  startedAt: number;
  abortedAt: number;
  /** Chunks already sent when the abort came (streams only). */
  chunksSent?: number;
}

export interface StatsSnapshot {
  requests: Record<string, number>;
  models: Record<string, number>;
  recent: RequestRecord[];
  aborts: AbortRecord[];
}

const KEEP = 500;
// A test server on loopback: recording the credential a gateway sent is the point (which backend got which key).
const RECORDED_HEADERS = ["authorization", "x-request-id", "traceparent"];

export function createStats() {
  let seq = 0;
  let requests: Record<string, number> = {};
  let models: Record<string, number> = {};
  let recent: RequestRecord[] = [];
  let aborts: AbortRecord[] = [];
  const keep = <T>(list: T[], item: T) => {
    list.push(item);
    if (list.length > KEEP) list.shift();
  };
  return {
    start(method: string, path: string, route: string, headers: Headers): RequestRecord {
      const key = `${method} ${route}`;
      requests[key] = (requests[key] ?? 0) + 1;
      const seen: Record<string, string> = {};
      for (const name of RECORDED_HEADERS) {
        const v = headers.get(name);
        if (v !== null) seen[name] = v;
      }
      const rec: RequestRecord = { id: ++seq, method, path, route: key, headers: seen, startedAt: now() };
      keep(recent, rec);
      return rec;
    },
    model(rec: RequestRecord, name: string) {
      if (rec.model !== undefined) return;
      rec.model = name;
      models[name] = (models[name] ?? 0) + 1;
    },
    end(rec: RequestRecord) {
      if (rec.endedAt === undefined && rec.abortedAt === undefined) rec.endedAt = now();
    },
    /** Records the client going away; ignored once the answer was complete (nothing was cut short). */
    abort(rec: RequestRecord) {
      if (rec.endedAt !== undefined || rec.abortedAt !== undefined) return;
      rec.abortedAt = now();
      keep(aborts, {
        id: rec.id,
        route: rec.route,
        path: rec.path,
        ...(rec.model === undefined ? {} : { model: rec.model }),
        startedAt: rec.startedAt,
        abortedAt: rec.abortedAt,
        ...(rec.chunksSentAt ? { chunksSent: rec.chunksSentAt.length } : {}),
      });
    },
    snapshot(): StatsSnapshot {
      return structuredClone({ requests, models, recent, aborts });
    },
    reset() {
      requests = {};
      models = {};
      recent = [];
      aborts = [];
    },
  };
}

export type Stats = ReturnType<typeof createStats>;
