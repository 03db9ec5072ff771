-- wrk script: every request carries a different prepared session (cookie + form body).
--
-- wrk -t1 -c32 -d10s --latency -s benchmarks/submit.lua URL -- FILE MODE
--   FILE  lines "<cookie header>\t<urlencoded body>" made by benchmarks/prepare.py
--   MODE  "submit": POST the body; a good response is a 303 to .../done;
--                   stops when the sessions run out (a session is used once)
--         "page":   GET URL with the cookie; a good response is a 200;
--                   wraps around (a GET does not use the session up)
--   FILE "-" with MODE "get": plain GETs without a cookie (the hello baseline)
-- Each thread takes every n-th line (n = threads), so no session is sent twice.
-- done() prints one line "BENCH_JSON {...}" for benchmarks/run.py.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   local file, mode = args[1], args[2] or "submit"
   local nthreads = tonumber(args[3] or "1")
   submit = (mode == "submit")
   cookies, bodies = {}, {}
   next_index, good, bad, exhausted = 1, 0, 0, 0
   bad_statuses = ""
   local n = 0
   if file == "-" then
      plain = true
      return
   end
   for line in io.lines(file) do
      if n % nthreads == tid then
         local cookie, body = line:match("^([^\t]*)\t(.*)$")
         table.insert(cookies, cookie)
         table.insert(bodies, body)
      end
      n = n + 1
   end
end

function request()
   if plain then
      return wrk.format("GET")
   end
   if next_index > #cookies then
      if submit then
         exhausted = 1
         wrk.thread:stop()
         return wrk.format("GET", "/__sessions_exhausted__")
      end
      next_index = 1
   end
   local i = next_index
   next_index = next_index + 1
   local headers = { ["Cookie"] = cookies[i] }
   if submit then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      return wrk.format("POST", nil, headers, bodies[i])
   end
   return wrk.format("GET", nil, headers)
end

function response(status, headers, body)
   local ok
   if submit then
      local location = headers["Location"] or headers["location"] or ""
      ok = status == 303 or status == 302
      ok = ok and location:sub(-5) == "/done"
   else
      ok = status == 200
   end
   if ok then
      good = good + 1
   else
      bad = bad + 1
      if #bad_statuses < 200 then
         bad_statuses = bad_statuses .. status .. " "
      end
   end
end

function done(summary, latency, requests)
   local good_total, bad_total, exhausted_any, statuses = 0, 0, 0, ""
   for _, thread in ipairs(threads) do
      good_total = good_total + thread:get("good")
      bad_total = bad_total + thread:get("bad")
      exhausted_any = math.max(exhausted_any, thread:get("exhausted"))
      statuses = statuses .. thread:get("bad_statuses")
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"socket_errors":%d,"timeouts":%d,"good":%d,"bad":%d,"exhausted":%d,"bad_statuses":"%s"}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.connect + e.read + e.write, e.timeout, good_total, bad_total, exhausted_any, statuses))
end
