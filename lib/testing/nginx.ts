// nginx (Debian package) as a plain reverse proxy in front of one or more upstreams, in the foreground with its own config (benchmarks, restart tests).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The operator's config for orders replicas (http context), which the restart tests and the chaos suite run. */
export const ORDERS_SITE_CONF = join(import.meta.dir, "../../deploy/nginx/orders.conf");

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
   * An http-context config file (one `upstream` and one `server`, as deploy/nginx/orders.conf) to run instead of the
   * generated proxy: its upstream `server` lines become one per `upstreamPort` (their parameters kept), its `listen`
   * becomes `port` on loopback. `upstreamKeepalive` and `upstreamKeepaliveTimeoutSeconds` do not apply to it.
   */
  siteConfig?: string;
  /** Directives (by name) removed from `siteConfig`, to measure what one of them is worth. */
  dropDirectives?: string[];
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
  const ports = [o.upstreamPort].flat();
  const servers = ports
    .map((p) => `    server 127.0.0.1:${p}${o.upstreamFailTimeoutSeconds ? ` max_fails=1 fail_timeout=${o.upstreamFailTimeoutSeconds}s` : ""};`)
    .join("\n");
  const proxy = o.siteConfig
    ? `  include ${siteConfig(o, ports)};`
    : `  upstream app {
${servers}${keepalive ? "\n    keepalive 64;" : ""}${keepalive && o.upstreamKeepaliveTimeoutSeconds ? `\n    keepalive_timeout ${o.upstreamKeepaliveTimeoutSeconds}s;` : ""}
  }
  server {
    listen 127.0.0.1:${o.port};
    location / {
      proxy_pass http://app;${keepalive ? '\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";' : ""}
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }`;
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
${proxy}
}
`;
  const path = join(o.dir, "nginx.conf");
  writeFileSync(path, conf);
  return ["nginx", "-p", o.dir, "-c", path];
}

/** Writes `o.siteConfig` into `o.dir` with the test's upstream ports and listen port; returns its path. */
function siteConfig(o: NginxOptions, ports: number[]): string {
  const text = readFileSync(o.siteConfig as string, "utf8");
  const lines = text.split("\n");
  const firstServer = lines.findIndex((l) => /^\s*server\s+[^\s{]+:\d+/.test(l));
  if (firstServer < 0 || !/^\s*listen\s+\d+;/m.test(text)) throw new Error(`${o.siteConfig}: no upstream server line or no "listen <port>;"`);
  const params = (lines[firstServer] as string).replace(/^\s*server\s+\S+/, "").replace(/;.*$/, "");
  const failTimeout = o.upstreamFailTimeoutSeconds ? params.replace(/fail_timeout=\w+/, `fail_timeout=${o.upstreamFailTimeoutSeconds}s`) : params;
  const out = lines
    .filter((l, i) => i === firstServer || !/^\s*server\s+[^\s{]+:\d+/.test(l))
    .flatMap((l, i) => (i === firstServer ? ports.map((p) => `    server 127.0.0.1:${p}${failTimeout};`) : [l]))
    .filter((l) => !(o.dropDirectives ?? []).some((d) => new RegExp(`^\\s*${d}\\s`).test(l)))
    .map((l) => l.replace(/^(\s*)listen\s+\d+;/, `$1listen 127.0.0.1:${o.port};`));
  const path = join(o.dir, "site.conf");
  writeFileSync(path, out.join("\n"));
  return path;
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
