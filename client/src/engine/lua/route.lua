-- Creates one run per matching workload for an event, once: a repeated router delivery creates
-- nothing new and only hands back the runs that have not started, for republishing.
-- ARGV: prefix, eventId, now, outboxAt, ttlCompleted, count, then per workload: name, url, maxRetries
-- Returns a flat list: runId, url for each run to publish; false when the event no longer exists.
local eventId, now, outboxAt = ARGV[2], ARGV[3], ARGV[4]
local ev = k('ev', eventId)
redis.call('ZREM', k('outbox'), 'route:' .. eventId)
if redis.call('EXISTS', ev) == 0 then return false end
local out = {}
local routed = redis.call('HGET', ev, 'routedAt')
if not routed then
  local fields = redis.call('HMGET', ev, 'displayName', 'priority', 'delayUntil')
  local count = tonumber(ARGV[6])
  local runIds = {}
  for i = 0, count - 1 do
    local b = 7 + i * 3
    local workload, url, maxRetries = ARGV[b], ARGV[b + 1], ARGV[b + 2]
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
  if count == 0 then
    tally(eventId, waited, 'unmatched')
    redis.call('PEXPIRE', ev, ARGV[5])
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
