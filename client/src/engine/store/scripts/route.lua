-- Creates one run per matching workload for an event, once: a repeated router delivery creates
-- nothing new and only hands back the runs that have not started, for republishing.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, eventId, now, outboxAt, ttlCompleted, count, targets[count]{workload, url, maxRetries}
--   targets: the workloads the event matches
-- Reply: a flat list: runId, url for each run to publish; false when the event no longer exists
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local eventId = ARGV[2]
local now = ARGV[3]
local outboxAt = ARGV[4]
local ttlCompleted = ARGV[5]
local count = ARGV[6]
local targets_count = tonumber(count)
local function targets_item(i) local b = 7 + (i - 1) * 3 return ARGV[b], ARGV[b + 1], ARGV[b + 2] end
-- end of generated ARGV
local ev = k('ev', eventId)
redis.call('ZREM', k('outbox'), 'route:' .. eventId)
if redis.call('EXISTS', ev) == 0 then return false end
local out = {}
local routed = redis.call('HGET', ev, 'routedAt')
if not routed then
  local fields = redis.call('HMGET', ev, 'displayName', 'priority', 'delayUntil')
  local runIds = {}
  for i = 1, targets_count do
    local workload, url, maxRetries = targets_item(i)
    local runId = eventId .. '.' .. workload
    redis.call('HSET', k('run', runId), 'id', runId, 'eventId', eventId, 'eventName', fields[1],
      'workload', workload, 'url', url, 'state', 'pending', 'attempt', 1, 'generation', 0,
      'maxRetries', maxRetries, 'priority', fields[2], 'createdAt', now, 'nextAt', '')
    tally(eventId, nil, 'pending')
    redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)
    runIds[#runIds + 1] = runId
    out[#out + 1] = runId
    out[#out + 1] = url
  end
  redis.call('HSET', ev, 'routedAt', now, 'runs', table.concat(runIds, ','))
  -- The event itself stops counting as pending (or delayed); its runs count from now on. An event
  -- no workload subscribes to is kept as unmatched, for the completed retention.
  local waited = fields[3] ~= '' and 'delayed' or 'pending'
  if targets_count == 0 then
    tally(eventId, waited, 'unmatched')
    redis.call('PEXPIRE', ev, ttlCompleted)
  else
    tally(eventId, waited, nil)
  end
else
  local runs = redis.call('HGET', ev, 'runs')
  for runId in string.gmatch(runs or '', '[^,]+') do
    local state = redis.call('HMGET', k('run', runId), 'state', 'generation', 'url')
    if state[1] == 'pending' and state[2] == '0' then
      out[#out + 1] = runId
      out[#out + 1] = state[3]
    end
  end
end
return out
