-- Deletes events with their runs, journals, index entries and outbox entries.
-- ARGV: prefix, then eventIds. Returns the number of events deleted.
local STATES = { 'pending', 'processing', 'delayed', 'sleeping', 'completed', 'dead-lettered' }
local deleted = 0
for i = 2, #ARGV do
  local eventId = ARGV[i]
  local ev = k('ev', eventId)
  local f = redis.call('HMGET', ev, 'name', 'runs', 'idempotencyKey')
  for runId in string.gmatch(f[2] or '', '[^,]+') do
    local run, steps, attempts = run_keys(runId)
    redis.call('DEL', run, steps, attempts)
    redis.call('ZREM', k('outbox'), 'run:' .. runId)
  end
  for _, s in ipairs(STATES) do redis.call('ZREM', k('idx', 'state', s), eventId) end
  redis.call('ZREM', k('idx', 'all'), eventId)
  if f[1] then
    redis.call('ZREM', k('idx', 'name', f[1]), eventId)
    if redis.call('ZCARD', k('idx', 'name', f[1])) == 0 then redis.call('SREM', k('idx', 'names'), f[1]) end
  end
  redis.call('ZREM', k('outbox'), 'route:' .. eventId)
  deleted = deleted + redis.call('DEL', ev)
end
return deleted
