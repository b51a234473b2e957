-- Persists a batch of accepted events before anything is published (invariant 1). Safe to repeat:
-- the client resends a script whose answer was lost, and a repeat must not count an event twice.
-- The outbox entry makes the reconciler publish the event to the router if our own publish is lost.
-- An event that may be routed at send is routed here when the router's routing table (lib.lua
-- routing_table_targets) is there and none of its name's subscribers filters: its runs are created
-- with their outbox entries in this same call (route_event, as route.lua does it), and the sender
-- publishes them directly, without the router's hop. A repeat decides as the first call did (the
-- event records it), whatever the table holds by then.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, count, idempotencyTtlMs, ttlCompleted, events[count]{id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, outboxAt, atSend, chain}
--   name: lower-cased, for matching; displayName: as sent; data: JSON; delayUntil, idempotencyKey: '' for none
--   chain: how many events led to this one through workloads' sends ('0' for none; stored only when not)
--   atSend: '1' to route here if the routing table allows (never for a delayed or internal event), '' for the router
-- Reply: a list, per event: id, status ('accepted' | 'duplicate'), routed ('1' if routed here, else ''), {runId, url, generation, ...} (the runs to publish)
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local count = ARGV[2]
local idempotencyTtlMs = ARGV[3]
local ttlCompleted = ARGV[4]
local events_count = tonumber(count)
local function events_item(i) local b = 5 + (i - 1) * 11 return ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8], ARGV[b + 9], ARGV[b + 10] end
-- end of generated ARGV
local out = {}
for i = 1, events_count do
  local id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, outboxAt, atSend, chain = events_item(i)
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
  local runs = {}
  local routed = ''
  if prior then
    out[#out + 1] = prior
    out[#out + 1] = 'duplicate'
  else
    -- An event that exists already is a repeat of this call (the client resends a command whose
    -- answer was lost): persisted, and routed if it was; route_event then answers its runs again.
    if redis.call('EXISTS', k('ev', id)) == 0 then
      local targets = atSend ~= '' and delayUntil == '' and routing_table_targets(name) or nil
      insert_event(id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, chain)
      if targets then
        redis.call('HSET', k('ev', id), 'routedAtSend', '1')
        local function target(j) return targets[j][1], targets[j][2], targets[j][3] end
        route_event(id, #targets, target, createdAt, outboxAt, ttlCompleted, runs)
        routed = '1'
      else
        redis.call('ZADD', k('outbox'), outboxAt, 'route:' .. id)
      end
    elseif redis.call('HGET', k('ev', id), 'routedAtSend') then
      route_event(id, 0, nil, createdAt, outboxAt, ttlCompleted, runs)
      routed = '1'
    end
    out[#out + 1] = id
    out[#out + 1] = 'accepted'
  end
  out[#out + 1] = routed
  out[#out + 1] = runs
end
return out
