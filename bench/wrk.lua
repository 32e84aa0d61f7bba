-- The wrk script of `make bench` (bench/src/load.rs sets its environment):
--   BENCH_METHOD, BENCH_BODY   the request (a body is sent as JSON)
--   BENCH_CARTS                cart ids, comma-separated: each request carries the next one as
--                              its `cart` cookie (threads take disjoint turns)
--   BENCH_THREADS              wrk's -t, so that threads take disjoint turns over the carts
--   BENCH_MAX                  requests per thread at most (0: no bound but the duration)
-- It prints one line `BENCH {json}` with the totals and latency percentiles (microseconds).
-- BENCH_MAX is a safety bound: the duration is meant to end a run first (see `done`).

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body == "" then body = nil end
local carts = {}
for c in string.gmatch(os.getenv("BENCH_CARTS") or "", "[^,]+") do
  carts[#carts + 1] = c
end
local max = tonumber(os.getenv("BENCH_MAX") or "0") or 0
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  sent = 0
  answered = 0
end

function request()
  local headers = {}
  if body then
    headers["Content-Type"] = "application/json"
  end
  if #carts > 0 then
    local turn = sent * nthreads + thread_id
    headers["Cookie"] = "cart=" .. carts[(turn % #carts) + 1]
  end
  sent = sent + 1
  return wrk.format(method, nil, headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if max > 0 and answered >= max then
    wrk.thread:stop()
  end
end

-- `capped` says a thread stopped at BENCH_MAX before the duration ended: wrk still divides by
-- the whole duration then, so such a run's rate is not valid.
function done(summary, latency, requests)
  local e = summary.errors
  local capped = false
  for _, thread in ipairs(threads) do
    if max > 0 and (thread:get("answered") or 0) >= max then
      capped = true
    end
  end
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"capped":%s}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), tostring(capped)))
end
