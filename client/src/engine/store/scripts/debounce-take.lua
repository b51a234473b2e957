-- Decides a run's start under a debounce (engine/debounce.ts). A run arriving becomes the latest of
-- its key's burst, due `period` after it (or at the burst's first arrival plus maxWait, if sooner),
-- and is told to wait until then, unless its event is older than the latest's (deliveries do not
-- keep the order events were sent in): then it is replaced at once. When a run comes back: the
-- latest, due, runs (and the burst ends); one that a later arrival replaced is told so. Runs already seen are kept in the burst's `runs`
-- hash until they come back, so a replaced run is recognised even after a new burst began.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, debounceKey, runId, now, eventAt, periodMs, maxWaitMs
--   eventAt: when the run's event was accepted; maxWaitMs: 0 for none
-- Reply: { 'run' }, { 'wait', dueAt }, or { 'replaced', latestRunId }
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local debounceKey = ARGV[2]
local runId = ARGV[3]
local now = ARGV[4]
local eventAt = ARGV[5]
local periodMs = ARGV[6]
local maxWaitMs = ARGV[7]
-- end of generated ARGV
now = tonumber(now)
local burst = k('debounce', debounceKey)
local seen = k('debounce', debounceKey, 'runs')
local latest = redis.call('HGET', burst, 'latest')
if redis.call('HEXISTS', seen, runId) == 1 then
  if latest == runId then
    local dueAt = tonumber(redis.call('HGET', burst, 'dueAt'))
    if dueAt > now then return { 'wait', tostring(dueAt) } end
    redis.call('DEL', burst)
    redis.call('HDEL', seen, runId)
    return { 'run' }
  end
  redis.call('HDEL', seen, runId)
  return { 'replaced', latest or '' }
end
if latest and tonumber(redis.call('HGET', burst, 'latestAt')) > tonumber(eventAt) then
  return { 'replaced', latest }
end
local firstAt = tonumber(redis.call('HGET', burst, 'firstAt') or now)
local dueAt = now + tonumber(periodMs)
if tonumber(maxWaitMs) > 0 and firstAt + tonumber(maxWaitMs) < dueAt then dueAt = firstAt + tonumber(maxWaitMs) end
if dueAt <= now then
  redis.call('DEL', burst)
  return { 'run' }
end
redis.call('HSET', burst, 'latest', runId, 'latestAt', eventAt, 'firstAt', firstAt, 'dueAt', dueAt)
redis.call('HSET', seen, runId, 1)
redis.call('PEXPIRE', burst, dueAt - now + 3600000)
redis.call('PEXPIRE', seen, dueAt - now + 3600000)
return { 'wait', tostring(dueAt) }
