-- wrk script for bench/http.py: rotates over prepared request bodies and reports as JSON.
--
--   wrk -c 32 -d 20s -s bench/recommendations.lua http://127.0.0.1:PORT/v1/recommendations -- BODIES TOKEN
--   wrk -c 32 -d 20s -s bench/recommendations.lua http://127.0.0.1:PORT/healthz
--
-- BODIES is a file of JSON request bodies, one a line, and TOKEN an API token sent with each
-- (Authorization: Bearer TOKEN): each request POSTs the next body (each
-- thread starts at a different line). Without it, each request is a plain GET of the URL. Both
-- ways every request is built in init(), so request() is a table lookup, and response() counts
-- every status but 200; done() prints one line, RESULT_PREFIX then a JSON object, for the caller.

local RESULT_PREFIX = "ruta-wrk-result "

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

local prepared = {}
local next_index = 1

local function read_requests(path, token)
   local file = assert(io.open(path, "r"))
   local headers = { ["Content-Type"] = "application/json" }
   if token and #token > 0 then
      headers["Authorization"] = "Bearer " .. token
   end
   for line in file:lines() do
      if #line > 0 then
         table.insert(prepared, wrk.format("POST", nil, headers, line))
      end
   end
   file:close()
   assert(#prepared > 0, "no request bodies in " .. path)
end

function init(args)
   not_ok = {} -- status code (as text) -> count, read back by done()
   if args[1] then
      read_requests(args[1], args[2])
   else
      prepared[1] = wrk.format("GET")
   end
   -- Threads start apart from each other in the rotation.
   next_index = ((id or 1) - 1) * 97 % #prepared + 1
end

function request()
   local current = prepared[next_index]
   next_index = next_index % #prepared + 1
   return current
end

function response(status, headers, body)
   if status ~= 200 then
      local key = tostring(status)
      not_ok[key] = (not_ok[key] or 0) + 1
   end
end

local function statuses_json()
   local merged = {}
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("not_ok") or {}) do
         merged[status] = (merged[status] or 0) + count
      end
   end
   local parts = {}
   local total = 0
   for status, count in pairs(merged) do
      table.insert(parts, string.format('"%s":%d', status, count))
      total = total + count
   end
   return "{" .. table.concat(parts, ",") .. "}", total
end

function done(summary, latency, requests)
   local statuses, not_200 = statuses_json()
   local errors = summary.errors
   io.write(RESULT_PREFIX)
   io.write(string.format(
      '{"requests":%d,"duration_us":%d,"bytes":%d,"not_200":%d,"statuses":%s,'
         .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
         .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests, summary.duration, summary.bytes, not_200, statuses,
      errors.connect, errors.read, errors.write, errors.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean
   ))
end
