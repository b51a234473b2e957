-- Gives a run its start time under a throttle (engine/throttle.ts): starts are spaced `interval`
-- apart (the period over the limit), so no window of one period holds more than the limit. Each run is
-- given one time: a run already given one gets it again (it was parked until then), so a burst of
-- N runs costs N reservations, not N waves of retries. The key's next free time expires once it is
-- past, so an idle key holds nothing.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, throttleKey, runId, now, interval
-- Reply: the time (ms) the run may start: now or earlier means at once
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local throttleKey = ARGV[2]
local runId = ARGV[3]
local now = ARGV[4]
local interval = ARGV[5]
-- end of generated ARGV
now = tonumber(now)
interval = tonumber(interval)
local reservations = k('throttle', throttleKey, 'at')
local given = redis.call('HGET', reservations, runId)
if given then
  if tonumber(given) <= now then redis.call('HDEL', reservations, runId) end
  return tonumber(given)
end
local at = tonumber(redis.call('GET', k('throttle', throttleKey)) or 0)
if at < now then at = now end
local tat = at + interval
redis.call('SET', k('throttle', throttleKey), tat, 'PX', math.ceil(tat - now) + 1000)
if at > now then
  redis.call('HSET', reservations, runId, at)
  redis.call('PEXPIRE', reservations, math.ceil(at - now) + 3600000)
end
return at
