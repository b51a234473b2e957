-- Persists a batch of accepted events before anything is published (invariant 1). Safe to repeat:
-- the client resends a script whose answer was lost, and a repeat must not count an event twice.
-- ARGV: prefix, count, idempotencyTtlMs, then per event:
--   id, name (lower-cased, for matching), displayName, data (JSON), priority, createdAt, delayUntil, idempotencyKey, outboxAt
-- The outbox entry makes the reconciler publish the event to the router if our own publish is lost.
-- Returns a flat list: id, status ('accepted' | 'duplicate') per event.
local count = tonumber(ARGV[2])
local idemTtl = ARGV[3]
local out = {}
for i = 0, count - 1 do
  local b = 4 + i * 9
  local id, name, display, data = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  local priority, createdAt, delayUntil, idem, outboxAt = ARGV[b + 4], ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8]
  local prior = false
  if idem ~= '' then
    -- A key is scoped to its event name: `welcome` and `signup` may share one. Names never hold a
    -- '/', so the first one ends the name and no (name, key) pair can build another's Redis key.
    local idemKey = k('idem', name) .. '/' .. idem
    prior = redis.call('GET', idemKey)
    -- The key naming this very event is a repeat of this call, not a duplicate send; a key naming
    -- an event that is gone (deleted, or expired) is free again: there is nothing to point to.
    if prior == id or (prior and redis.call('EXISTS', k('ev', prior)) == 0) then prior = false end
    if not prior then redis.call('SET', idemKey, id, 'PX', idemTtl) end
  end
  if prior then
    out[#out + 1] = prior
    out[#out + 1] = 'duplicate'
  elseif redis.call('EXISTS', k('ev', id)) == 1 then
    -- A repeat of this call (the client resends a command whose answer was lost): already persisted.
    out[#out + 1] = id
    out[#out + 1] = 'accepted'
  else
    redis.call('HSET', k('ev', id), 'id', id, 'name', name, 'displayName', display, 'data', data,
      'priority', priority, 'createdAt', createdAt, 'delayUntil', delayUntil, 'idempotencyKey', idem)
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
