// nginx (Debian package) as a plain reverse proxy in front of one or more upstreams, in the foreground with its own config (benchmarks, restart tests).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface NginxOptions {
  dir: string;
  port: number;
  /** One upstream server, or several (round robin with nginx's passive checks). */
  upstreamPort: number | number[];
  workers: number;
  /** Write one access-log line per request, as the gateway does (its JSON line per request). */
  accessLog: boolean;
  /**
   * Keep-alive upstream connections over HTTP/1.1, as the gateway's fetch pool does (default). false: the stock
   * `proxy_pass` (HTTP/1.0, a new upstream connection per request), for comparison with untuned setups only.
   */
  upstreamKeepalive?: boolean;
  /** How long nginx takes a server out after a failed attempt (passive check; its default: 10 s). */
  upstreamFailTimeoutSeconds?: number;
  /**
   * Retry POSTs on the next server after a connection error too (`proxy_next_upstream … non_idempotent`). Safe only
   * where every POST carries an Idempotency-Key, as the orders API requires: the retry replays or places the order once.
   */
  retryNonIdempotent?: boolean;
  /** How long nginx keeps an idle upstream connection (its default: 60 s). */
  upstreamKeepaliveTimeoutSeconds?: number;
}

/**
 * Writes nginx.conf and nginx's temp folders into `dir` (created if missing) and returns the command that runs it
 * (daemon off, master process, all paths in `dir`).
 */
export function nginxCommand(o: NginxOptions): string[] {
  // The *_temp_path folders below: nginx's defaults lie outside `dir` and need root.
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(o.dir, d), { recursive: true });
  const keepalive = o.upstreamKeepalive ?? true;
  const servers = [o.upstreamPort]
    .flat()
    .map((p) => `    server 127.0.0.1:${p}${o.upstreamFailTimeoutSeconds ? ` max_fails=1 fail_timeout=${o.upstreamFailTimeoutSeconds}s` : ""};`)
    .join("\n");
  const conf = `
worker_processes ${o.workers};
daemon off;
pid ${join(o.dir, "nginx.pid")};
error_log ${join(o.dir, "nginx-error.log")} warn;
events { worker_connections 4096; }
http {
  access_log ${o.accessLog ? join(o.dir, "nginx-access.log") : "off"};
  client_body_temp_path ${join(o.dir, "body")};
  proxy_temp_path ${join(o.dir, "proxy")};
  fastcgi_temp_path ${join(o.dir, "fastcgi")};
  uwsgi_temp_path ${join(o.dir, "uwsgi")};
  scgi_temp_path ${join(o.dir, "scgi")};
  server_tokens off;
  keepalive_requests 100000;
  upstream app {
${servers}${keepalive ? "\n    keepalive 64;" : ""}${keepalive && o.upstreamKeepaliveTimeoutSeconds ? `\n    keepalive_timeout ${o.upstreamKeepaliveTimeoutSeconds}s;` : ""}
  }
  server {
    listen 127.0.0.1:${o.port};
    location / {
      proxy_pass http://app;${keepalive ? '\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";' : ""}
      proxy_set_header X-Forwarded-For $remote_addr;${o.retryNonIdempotent ? "\n      proxy_next_upstream error timeout non_idempotent;" : ""}
    }
  }
}
`;
  const path = join(o.dir, "nginx.conf");
  writeFileSync(path, conf);
  return ["nginx", "-p", o.dir, "-c", path];
}

export interface RunningNginx {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  /** nginx's error log so far (upstream failures are logged there). */
  errorLog(): string;
  stop(): Promise<void>;
}

/** Runs nginx (`nginxCommand`) as a child process and waits until it answers on its port. */
export async function startNginx(o: NginxOptions): Promise<RunningNginx> {
  const proc = Bun.spawn(nginxCommand(o), { stdout: "ignore", stderr: "pipe" });
  const url = `http://127.0.0.1:${o.port}`;
  const errorLog = () => {
    try {
      return readFileSync(join(o.dir, "nginx-error.log"), "utf8");
    } catch {
      return "";
    }
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}: ${await new Response(proc.stderr as ReadableStream).text()}`);
    // Any answer (502 while no upstream listens yet) means nginx is up.
    if (
      await fetch(`${url}/healthz`).then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`nginx did not answer on ${url} within 10 s: ${errorLog()}`);
    }
    await Bun.sleep(50);
  }
  return {
    url,
    proc,
    errorLog,
    stop: async () => {
      proc.kill("SIGQUIT"); // graceful: finish what is in flight
      await proc.exited;
    },
  };
}
