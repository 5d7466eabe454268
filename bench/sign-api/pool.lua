-- wrk script for bench/sign-api/run.sh: one request per process id of a pool (attach,
-- release, status). Environment:
--   BENCH_IN       file of process ids, one a line; thread t of BENCH_THREADS takes lines
--                  t, t + BENCH_THREADS, … so that no two threads share a process
--   BENCH_THREADS  wrk's -t
--   BENCH_METHOD   GET or POST;  BENCH_PATH: the path, "{id}" standing for the process id
--   BENCH_BODY     file holding the JSON body (optional);  BENCH_TOKEN: the bearer token
--   BENCH_WRAP     "1": start the slice again when it is used up (reads); otherwise the thread
--                  stops there (each process is attached to or released once) and writes the
--                  seconds it ran to BENCH_OUT.stop.<thread>, as wrk's own req/s divides by
--                  the whole -d duration
--   BENCH_OUT      (optional) each thread writes to BENCH_OUT.<thread> the ids whose request
--                  answered BENCH_OK. The answer is matched to the id of the last request,
--                  which holds only with one connection per thread (-t N -c N).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *ts);
]]
local function now()
   local ts = ffi.new("bench_timespec")
   ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
   return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local counter = 0
function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

local ids, nexti, current, last_request = {}, 1, nil, nil
local method, path, body, headers, wrap, out, prefix, ok_status, start, stopped

function init(args)
   method = os.getenv("BENCH_METHOD") or "GET"
   path = os.getenv("BENCH_PATH")
   wrap = os.getenv("BENCH_WRAP") == "1"
   ok_status = tonumber(os.getenv("BENCH_OK") or "200")
   headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }
   local body_file = os.getenv("BENCH_BODY")
   if body_file and body_file ~= "" then
      local f = assert(io.open(body_file, "rb"))
      body = f:read("*a")
      f:close()
      headers["Content-Type"] = "application/json"
   end
   local n, i = tonumber(os.getenv("BENCH_THREADS")), 0
   for line in io.lines(os.getenv("BENCH_IN")) do
      if i % n == tid - 1 and line ~= "" then
         ids[#ids + 1] = line
      end
      i = i + 1
   end
   assert(#ids > 0, "no process ids for thread " .. tid)
   prefix = os.getenv("BENCH_OUT")
   if prefix and prefix ~= "" then
      out = assert(io.open(prefix .. "." .. tid, "w"))
      out:setvbuf("line")
   end
   start = now()
end

local verified = false
function request()
   if tid == 1 and not verified then
      -- wrk 4 calls the first thread's request() once before it runs, to count pipelined
      -- requests, and never sends that one: it must not use up a process.
      verified = true
      return wrk.format(method, (path:gsub("{id}", ids[1])), headers, body)
   end
   if nexti > #ids then
      if wrap then
         nexti = 1
      elseif not stopped then
         stopped = true
         local f = assert(io.open(prefix .. ".stop." .. tid, "w"))
         f:write(string.format("%.6f\n", now() - start))
         f:close()
         wrk.thread:stop()
      end
   end
   if stopped then
      return last_request -- never answered: the thread's loop ends after this call
   end
   current = ids[nexti]
   nexti = nexti + 1
   last_request = wrk.format(method, (path:gsub("{id}", current)), headers, body)
   return last_request
end

function response(status, hdrs, resp_body)
   if out and status == ok_status and current then
      out:write(current, "\n")
   end
end
