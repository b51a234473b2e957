-- Takes a concurrency slot of every limit a run is under, all or none (engine/concurrency.ts).
-- A limit's holders are a sorted set of run ids scored by when their slot expires (the claim's
-- lease), so a crashed invocation's slot frees itself. A run already holding (a slot handed to it
-- by a release, or a repeated claim) keeps it, with the new expiry. A run that cannot take every
-- slot waits in each limit's waiting set, ordered by `order` (kept from its first wait), and its
-- limits are kept for the release that hands it the slots.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, runId, now, slotUntil, order, ...limits
-- Reply: 'acquired', or 'wait'
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local runId = ARGV[2]
local now = ARGV[3]
local slotUntil = ARGV[4]
local order = ARGV[5]
local limits_count = #ARGV - 6 + 1
local function limits_item(i) local b = 6 + i - 1 return ARGV[b] end
-- end of generated ARGV
local pairs_count = limits_count / 2
local fits = true
for i = 1, pairs_count do
  local holders = k('slots', limits_item(2 * i - 1))
  redis.call('ZREMRANGEBYSCORE', holders, '-inf', '(' .. now)
  if not redis.call('ZSCORE', holders, runId) and redis.call('ZCARD', holders) >= tonumber(limits_item(2 * i)) then
    fits = false
  end
end
if fits then
  for i = 1, pairs_count do
    local key = limits_item(2 * i - 1)
    redis.call('ZADD', k('slots', key), slotUntil, runId)
    redis.call('ZREM', k('slots', key, 'wait'), runId)
  end
  redis.call('HDEL', k('slots-waiting'), runId)
  return 'acquired'
end
local limits = {}
for i = 1, limits_count do limits[i] = limits_item(i) end
for i = 1, pairs_count do
  redis.call('ZADD', k('slots', limits_item(2 * i - 1), 'wait'), 'NX', order, runId)
end
redis.call('HSET', k('slots-waiting'), runId, cjson.encode(limits))
return 'wait'
