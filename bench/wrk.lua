-- wrk script of bench/run.sh. Chosen by environment variables:
--   BENCH_MODE   get (default: the URL's path, one pre-built request), random-id (GET
--                /api/v1/associations/<a random id of BENCH_IDS>) or writes (the write mix)
--   BENCH_TOKEN  sent as `Authorization: Bearer <token>` when set (to both servers: the bare one
--                ignores it, so both receive the same bytes)
--   BENCH_IDS    a file of association ids, one a line (random-id and writes)
--
-- The write mix, per thread, in turn: POST /api/v1/associations/<random id>/people; GET
-- /api/v1/associations/<random id>, whose id and ETag are kept; PATCH of the association kept
-- last (merge patch of member_count, If-Match its ETag; a GET instead while none is kept).
-- Every answer to a GET or PATCH of an association feeds the keep, so the ETags sent are fresh;
-- with thousands of associations, two connections rarely patch the same one (a 412 if they do).
--
-- done() prints one machine-readable line, `BENCH key=value ...`, which run.sh reads, and for
-- the write mix `BENCH_KINDS` (requests sent of each kind) and `BENCH_STATUS` (answers by status).

local mode = os.getenv("BENCH_MODE") or "get"
local token = os.getenv("BENCH_TOKEN") or ""
local ids_file = os.getenv("BENCH_IDS")

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

local function load_ids()
   local list = {}
   if not ids_file then
      return list
   end
   local file = assert(io.open(ids_file, "r"))
   for line in file:lines() do
      if #line > 0 then
         table.insert(list, line)
      end
   end
   file:close()
   return list
end

function init(args)
   math.randomseed(os.time() * 100 + (thread_number or 0))
   if token ~= "" then
      wrk.headers["Authorization"] = "Bearer " .. token
   end
   ids = load_ids()
   if mode ~= "get" and #ids == 0 then
      error("BENCH_IDS names no ids")
   end
   kinds = {}
   statuses = {}
   kept = {}
   turn = 0
end

local function random_id()
   return ids[math.random(#ids)]
end

local function count(tally, key)
   tally[key] = (tally[key] or 0) + 1
end

if mode == "random-id" then
   function request()
      return wrk.format("GET", "/api/v1/associations/" .. random_id())
   end
elseif mode == "writes" then
   local keep_at_most = 64

   -- wrk.format takes the given headers instead of wrk.headers (Host, Authorization), so each
   -- request gets a copy of those plus its own.
   local function with(extra)
      local headers = {}
      for name, value in pairs(wrk.headers) do
         headers[name] = value
      end
      for name, value in pairs(extra) do
         headers[name] = value
      end
      return headers
   end

   function request()
      turn = turn + 1
      local step = turn % 3
      if step == 0 then
         count(kinds, "post_person")
         local body = string.format(
            '{"first_name":"Bench","last_name":"Load %d-%d","gender":"female"}',
            thread_number or 0, turn)
         return wrk.format("POST", "/api/v1/associations/" .. random_id() .. "/people",
            with({ ["Content-Type"] = "application/json" }), body)
      end
      if step == 2 and #kept > 0 then
         -- The newest kept: its ETag is the freshest.
         local target = table.remove(kept)
         local headers = with({ ["Content-Type"] = "application/merge-patch+json" })
         if target.etag then
            headers["If-Match"] = target.etag
         end
         count(kinds, "patch_association")
         local body = string.format('{"member_count":%d}', math.random(1, 5000))
         return wrk.format("PATCH", "/api/v1/associations/" .. target.id, headers, body)
      end
      count(kinds, "get_association")
      return wrk.format("GET", "/api/v1/associations/" .. random_id())
   end

   function response(status, headers, body)
      count(statuses, tostring(status))
      if status ~= 200 or not body then
         return
      end
      -- An association (GET or PATCH answer): its id is the first "id" key; a person (201) is
      -- not kept.
      local id = body:match('"id"%s*:%s*"([0-9a-fA-F%-]+)"')
      if id then
         table.insert(kept, { id = id, etag = headers["ETag"] or headers["etag"] })
         if #kept > keep_at_most then
            table.remove(kept, 1)
         end
      end
   end
end

local function add_into(total, tally)
   for key, n in pairs(tally or {}) do
      total[key] = (total[key] or 0) + n
   end
end

local function line(tag, tally)
   local keys = {}
   for key in pairs(tally) do
      table.insert(keys, key)
   end
   table.sort(keys)
   local parts = { tag }
   for _, key in ipairs(keys) do
      table.insert(parts, key .. "=" .. tally[key])
   end
   return table.concat(parts, " ")
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d seconds=%.3f rps=%.3f p50_ms=%.3f p99_ms=%.3f non2xx3xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect, e.read, e.write, e.timeout))
   if mode == "writes" then
      local all_kinds, all_statuses = {}, {}
      for _, thread in ipairs(threads) do
         add_into(all_kinds, thread:get("kinds"))
         add_into(all_statuses, thread:get("statuses"))
      end
      io.write(line("BENCH_KINDS", all_kinds) .. "\n")
      io.write(line("BENCH_STATUS", all_statuses) .. "\n")
   end
end
