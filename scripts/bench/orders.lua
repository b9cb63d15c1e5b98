-- wrk script for scripts/bench/orders.ts: POST /v1/orders (2 items), a unique Idempotency-Key per request, JSON summary.
-- Usage: wrk -t1 -c16 -d10s -s scripts/bench/orders.lua http://127.0.0.1:PORT -- <internal token> [path]
-- With path "/healthz" it sends plain GETs instead (the HTTP floor of the same stack, for comparison).

local next_thread_id = 0

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
end

local counter = 0
local prefix = ""

function init(args)
  local token = args[1] or error("pass the internal token after --")
  local path = args[2] or "/v1/orders"
  -- Distinct per thread and per run; the random part spreads keys over the (customer_id, key) index like UUIDv4 keys do.
  math.randomseed(os.time() * 1000 + thread_id * 7919)
  prefix = string.format("%08x-t%d", math.random(0, 0x7fffffff), thread_id)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.path = path
  if path == "/v1/orders" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.body = '{"currency":"EUR","items":[{"sku":"BOOK-42","quantity":2,"unitPriceCents":1250},{"sku":"PEN-1","quantity":1,"unitPriceCents":199}]}'
  else
    wrk.method = "GET"
    plain = wrk.format()
  end
end

function request()
  if plain then return plain end
  counter = counter + 1
  -- Unique by construction (run prefix, thread, counter); the leading random hex keeps insert positions random.
  wrk.headers["Idempotency-Key"] = string.format("%08x%06x-%s-%d", math.random(0, 0x7fffffff), math.random(0, 0xffffff), prefix, counter)
  return wrk.format()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors_status":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end
