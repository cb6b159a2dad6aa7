-- wrk script: batches of 20 tracker events with fresh UUIDs, spread over the visitors in visitors.lua.
-- The same script drives the collector and the bare baseline view, so both parse the same bodies.
local config = dofile(os.getenv("ATTUNE_BENCH_LUA_DATA"))
local site, origin, visitors = config.site, config.origin, config.visitors
local path = os.getenv("ATTUNE_BENCH_PATH") or "/collect"
local base_ms = config.now_ms
local counter = 0
local headers = {
  ["Content-Type"] = "text/plain",
  ["Origin"] = origin,
  ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
}
local kinds = {
  '"type":"page_view","url":"%s/shop/p/trail-runner/","cat":"shoes","props":{"page_type":"product","visit":2}',
  '"type":"scroll","url":"%s/shop/p/trail-runner/","props":{"depth":50,"max":50}',
  '"type":"engagement","url":"%s/shop/p/trail-runner/","props":{"engaged_ms":15000,"final":false}',
  '"type":"click","url":"%s/shop/p/trail-runner/","props":{"tag":"a","text":"Details","href":"/shop/p/rain-boot/"}',
  '"type":"hover","url":"%s/shop/","props":{"target":"product-card","dwell_ms":1800}',
}

math.randomseed(tonumber(os.getenv("ATTUNE_BENCH_SEED") or "1"))

-- UUIDv7, as the tracker makes them: 48 bits of milliseconds, then random bits (here a run prefix and a
-- counter, which are cheap, so wrk's own CPU stays small).
local run = math.random(0, 0xfff)
local serial = 0

local function uuid(ms)
  serial = serial + 1
  return string.format("%08x-%04x-7%03x-a%03x-%012x", math.floor(ms / 65536), ms % 65536, run,
    math.random(0, 0xfff), serial)
end

request = function()
  counter = counter + 1
  local visitor = visitors[math.random(#visitors)]
  local now = base_ms + counter
  local events = {}
  for i = 1, 20 do
    local kind = string.format(kinds[(i % #kinds) + 1], origin)
    events[i] = string.format('{"id":"%s",%s,"ts":%d,"seq":%d,"pv":"pv-%s"}', uuid(now), kind, now - (20 - i) * 50, i,
      visitor[1])
  end
  local body = string.format('{"site":"%s","vid":"%s","sent":%d,"consent":"%s","events":[%s]}', site, visitor[1], now,
    visitor[2], table.concat(events, ","))
  return wrk.format("POST", path, headers, body)
end
