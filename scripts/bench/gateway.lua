-- wrk script for scripts/bench/gateway.ts: GET one path with a bearer token, JSON summary on the last line.
-- Usage: wrk -t1 -c32 -d10s -s scripts/bench/gateway.lua http://127.0.0.1:PORT -- <user token> <path>

function init(args)
  local token = args[1] or error("pass the user token after --")
  wrk.method = "GET"
  wrk.path = args[2] or "/v1/orders/0192f1b4-7c1e-7000-8000-000000000001"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Accept"] = "application/json"
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
