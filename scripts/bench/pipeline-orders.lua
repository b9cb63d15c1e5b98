-- wrk script for scripts/bench/pipeline.ts: POST /v1/orders at a FIXED RATE (a schedule, not a closed loop), unique keys, JSON summary.
-- Usage: wrk -tT -c8 -d22s -s scripts/bench/pipeline-orders.lua http://127.0.0.1:PORT -- <internal token> <orders per second> <T>
-- Each thread owns rate/threads of the schedule: request k of a thread is due at start + k * interval; delay() waits for
-- that slot (0 when the thread is behind, so it catches up). Needs LuaJIT's ffi for a millisecond clock (wrk has it).

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } pipeline_timespec;
  int clock_gettime(int clk_id, pipeline_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local ts = ffi.new("pipeline_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local interval_ms = 0
local next_slot = nil
local counter = 0
local prefix = ""

function init(args)
  local token = args[1] or error("pass the internal token after --")
  local rate = tonumber(args[2] or error("pass the rate (orders per second) after the token"))
  local nthreads = tonumber(args[3] or "1")
  interval_ms = 1000 * nthreads / rate
  math.randomseed(os.time() * 1000 + thread_id * 7919)
  prefix = string.format("%08x-p%d", math.random(0, 0x7fffffff), thread_id)
  wrk.method = "POST"
  wrk.path = "/v1/orders"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"currency":"EUR","items":[{"sku":"BOOK-42","quantity":2,"unitPriceCents":1250},{"sku":"PEN-1","quantity":1,"unitPriceCents":199}]}'
end

function delay()
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  local slot = next_slot
  next_slot = next_slot + interval_ms
  if slot <= now then return 0 end
  return math.floor(slot - now)
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("%08x%06x-%s-%d", math.random(0, 0x7fffffff), math.random(0, 0xffffff), prefix, counter)
  return wrk.format()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"errors_status":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
