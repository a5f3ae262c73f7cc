-- wrk script for bench/writes.sh: every request publishes a new post through the JSON API, as one
-- of the writers whose tokens are in TOKENS (separated by spaces), filed under three of twenty
-- tags picked at random, in any order.
local tokens = {}
for token in string.gmatch(os.getenv("TOKENS") or "", "%S+") do
  tokens[#tokens + 1] = token
end
local run = os.getenv("RUN") or "0"
local sent = 0

request = function()
  sent = sent + 1
  local tags = {}
  for i = 1, 3 do
    tags[i] = string.format('"topic %d"', math.random(20))
  end
  local body = string.format(
    '{"title":"Written at once %s-%d","body_html":"<p>Written at once.</p>","status":"published","tags":[%s]}',
    run, sent, table.concat(tags, ","))
  return wrk.format("POST", "/api/v1/posts", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[sent % #tokens + 1],
  }, body)
end
