-- wrk script for the benches (scripts/bench/wrk.ts): one request, repeated; a JSON summary on the last line.
-- Usage: wrk -t1 -c32 -d10s -s scripts/bench/wrk-request.lua http://127.0.0.1:PORT -- <token or -> <path> [<body file>]
-- With a body file: POST it as JSON; without: GET. "-" sends no Authorization header.

function init(args)
  local token, path, file = args[1], args[2], args[3]
  if not path then error("pass <token or -> <path> [<body file>] after --") end
  wrk.path = path
  wrk.method = "GET"
  wrk.headers["Accept"] = "application/json"
  if file then
    local f = assert(io.open(file, "rb"))
    wrk.body = f:read("*a")
    f:close()
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  end
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
