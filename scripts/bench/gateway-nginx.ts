// Benchmark helper: nginx (Debian package) as a plain reverse proxy in front of the upstream, in the foreground with its own config.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface NginxOptions {
  dir: string;
  port: number;
  upstreamPort: number;
  workers: number;
  /** Write one access-log line per request, as the gateway does (its JSON line per request). */
  accessLog: boolean;
  /**
   * Keep-alive upstream connections over HTTP/1.1, as the gateway's fetch pool does (default). false: the stock
   * `proxy_pass` (HTTP/1.0, a new upstream connection per request), for comparison with untuned setups only.
   */
  upstreamKeepalive?: boolean;
}

/**
 * Writes nginx.conf and nginx's temp folders into `dir` (created if missing) and returns the command that runs it
 * (daemon off, master process, all paths in `dir`).
 */
export function nginxCommand(o: NginxOptions): string[] {
  // The *_temp_path folders below: nginx's defaults lie outside `dir` and need root.
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(o.dir, d), { recursive: true });
  const keepalive = o.upstreamKeepalive ?? true;
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
    server 127.0.0.1:${o.upstreamPort};${keepalive ? "\n    keepalive 64;" : ""}
  }
  server {
    listen 127.0.0.1:${o.port};
    location / {
      proxy_pass http://app;${keepalive ? '\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";' : ""}
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`;
  const path = join(o.dir, "nginx.conf");
  writeFileSync(path, conf);
  return ["nginx", "-p", o.dir, "-c", path];
}
