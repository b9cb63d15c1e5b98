-- wrk script for scripts/bench/inference.ts: POST one JSON body (with a bearer token, or none), JSON summary on the last line.
-- Usage: wrk -t1 -c32 -d10s -s scripts/bench/inference.lua http://127.0.0.1:PORT -- <token or -> <path> <body file>

function init(args)
  local token, path, file = args[1], args[2], args[3]
  if not file then error("pass <token or -> <path> <body file> after --") end
  local f = assert(io.open(file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.path = path
  wrk.headers["Content-Type"] = "application/json"
  if token ~= "-" then wrk.headers["Authorization"] = "Bearer " .. token end
  prepared = wrk.format()
end

function request()
  return prepared
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"errors_status":%d,"errors_socket":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
