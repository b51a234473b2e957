-- Persists a batch of accepted events before anything is published (invariant 1). Safe to repeat:
-- the client resends a script whose answer was lost, and a repeat must not count an event twice.
-- The outbox entry makes the reconciler publish the event to the router if our own publish is lost.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, count, idempotencyTtlMs, events[count]{id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, outboxAt}
--   name: lower-cased, for matching; displayName: as sent; data: JSON; delayUntil, idempotencyKey: '' for none
-- Reply: a flat list: id, status ('accepted' | 'duplicate') per event
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local count = ARGV[2]
local idempotencyTtlMs = ARGV[3]
local events_count = tonumber(count)
local function events_item(i) local b = 4 + (i - 1) * 9 return ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8] end
-- end of generated ARGV
local out = {}
for i = 1, events_count do
  local id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, outboxAt = events_item(i)
  local prior = false
  if idempotencyKey ~= '' then
    -- A key is scoped to its event name: `welcome` and `signup` may share one.
    local idemKey = idempotency_key(name, idempotencyKey)
    prior = redis.call('GET', idemKey)
    -- The key naming this very event is a repeat of this call, not a duplicate send; a key naming
    -- an event that is gone (deleted, or expired) is free again: there is nothing to point to.
    if prior == id or (prior and redis.call('EXISTS', k('ev', prior)) == 0) then prior = false end
    if not prior then redis.call('SET', idemKey, id, 'PX', idempotencyTtlMs) end
  end
  if prior then
    out[#out + 1] = prior
    out[#out + 1] = 'duplicate'
  elseif redis.call('EXISTS', k('ev', id)) == 1 then
    -- A repeat of this call (the client resends a command whose answer was lost): already persisted.
    out[#out + 1] = id
    out[#out + 1] = 'accepted'
  else
    redis.call('HSET', k('ev', id), 'id', id, 'name', name, 'displayName', displayName, 'data', data,
      'priority', priority, 'createdAt', createdAt, 'delayUntil', delayUntil, 'idempotencyKey', idempotencyKey)
    redis.call('ZADD', k('idx', 'all'), createdAt, id)
    redis.call('ZADD', k('idx', 'name', name), createdAt, id)
    redis.call('SADD', k('idx', 'names'), name)
    if delayUntil ~= '' then tally(id, nil, 'delayed') else tally(id, nil, 'pending') end
    redis.call('ZADD', k('outbox'), outboxAt, 'route:' .. id)
    out[#out + 1] = id
    out[#out + 1] = 'accepted'
  end
end
return out
