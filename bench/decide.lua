-- wrk script: GET /decide for a product page's 5 slots, each request as one of the bench's consenting visitors
-- (their consent token in X-Attune-Consent); the same requests go to the bare JSON view it is compared with.
local config = dofile(os.getenv("ATTUNE_BENCH_LUA_DATA"))
local path = os.getenv("ATTUNE_BENCH_PATH") or "/decide"
local query = "?site=" .. config.site .. "&slots=home_hero,product_sidebar,offer_banner,popup,article_recommendations"
  .. "&path=/shop/p/trail-runner/&page_type=product&category=shoes"
local counter = 0

request = function()
  counter = counter + 1
  local visitor = config.visitors[(counter % #config.visitors) + 1]
  return wrk.format("GET", path .. query, {["Origin"] = config.origin, ["X-Attune-Consent"] = visitor[2]})
end
