-- wrk script: POST /api/v1/feedback with a fresh Idempotency-Key and a varied comment per request.
-- Optional pacing: set the environment variable BENCH_RATE (requests/s for the whole run) and
-- BENCH_THREADS (wrk's -t); each thread then sends on a fixed schedule instead of as fast as it can.
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_usec; } rey_timeval;
  int gettimeofday(rey_timeval *tv, void *tz);
]]
local tv = ffi.new("rey_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local comments = {
  "Növbə çox uzun idi, iki saat gözlədim",
  "Əməkdaş çox nəzakətli idi, təşəkkür edirəm",
  "Очень долго ждали, система не работает",
  "Всё быстро и вежливо, спасибо",
  "The officer was rude and the queue did not move",
  "Quick service, friendly staff",
  "sistem islemir, 3 defe gelmisem",
  "",
}
-- BENCH_COMMENTS names a file of comments, one per line, already escaped for a JSON string
-- (bench_load.py writes the corpus there, with typos): varied text, as real traffic is, so the
-- classifier keeps meeting words it has not seen, instead of the eight above served from its caches.
local path = os.getenv("BENCH_COMMENTS")
if path and path ~= "" then
  local file = assert(io.open(path, "r"))
  comments = {}
  for line in file:lines() do comments[#comments + 1] = line end
  file:close()
end
local center = os.getenv("BENCH_CENTER") or "bench-1"
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local counter = 0
local prefix
local interval, next_due

local created = 0
function setup(thread)
  created = created + 1
  thread:set("tid", created)
end

function init(args)
  -- tid is set by setup() in wrk's main state; the clock makes keys unique across runs.
  prefix = string.format("%d-%d", math.floor(now_ms()), tid or 0)
  math.randomseed(math.floor(now_ms()) + (tid or 0) * 7919)
  if rate > 0 then
    interval = threads * 1000.0 / rate
    next_due = now_ms()
  end
end

function delay()
  if not interval then return 0 end
  -- Each call claims the thread's next slot: a fixed arrival rate whatever the latency.
  next_due = next_due + interval
  local wait = next_due - now_ms()
  if wait < 0 then return 0 end
  return wait
end

function request()
  counter = counter + 1
  local comment = comments[math.random(#comments)]
  local body = string.format('{"center":"%s","rating":%d,"comment":"%s"}', center, math.random(1, 5), comment)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%s-%d", prefix, counter),
  }
  return wrk.format("POST", wrk.path, headers, body)
end
