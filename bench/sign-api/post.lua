-- wrk script for bench/sign-api/run.sh, create: POSTs the JSON body in file $BENCH_BODY with
-- the bearer token $BENCH_TOKEN to the URL given to wrk (POST /system/api/process). With
-- $BENCH_OUT set, each thread writes the id of every process it created (201) to
-- $BENCH_OUT.<thread number>, one a line: the pool the attach run then uses.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

local counter = 0
function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

local out = nil
function init(args)
   local prefix = os.getenv("BENCH_OUT")
   if prefix and prefix ~= "" then
      out = assert(io.open(prefix .. "." .. tid, "w"))
      out:setvbuf("line")
   end
end

function response(status, headers, body)
   if out and status == 201 then
      -- The Process answer starts with the process id: {"id":"…",…
      local id = body:match('^{"id":"([^"]+)"')
      if id then
         out:write(id, "\n")
      end
   end
end
