-- Shared helpers, prepended to every engine script by run.ts (Redis has no include).
-- Every script receives the key prefix as ARGV[1]; keys are built here so that their layout lives
-- in one place on the Lua side, mirroring keys.ts on the TypeScript side.
local P = ARGV[1]
local function k(...) return P .. table.concat({ ... }, ':') end

-- One idempotency key of one (lower-cased) event name (keys.ts `idempotency`). Names may hold '/'
-- but never '#', so the first '#' ends the name and no (name, key) pair builds another's key.
local function idempotency_key(name, key) return k('idem', name) .. '#' .. key end

local ACTIVE_STATES = { 'pending', 'processing', 'delayed', 'sleeping' }

-- The index of one state's events of one (lower-cased) name. The state comes first: it never holds
-- a ':', so no event name can make this key collide with another.
local function name_state_index(state, name) return k('idx', 'ns', state, name) end

-- Moves one unit of an event's tally from one state to another. An event's tally counts its runs
-- (and, before routing, the event itself) per state; the per-state event index, and the per-state
-- index of the event's name, hold exactly the events whose tally for that state is above zero, so
-- listing and counting by state (and name) need no scan.
local function tally(eventId, from, to)
  local ev = k('ev', eventId)
  local f = redis.call('HMGET', ev, 'createdAt', 'name')
  local created, name = f[1], f[2]
  if not created then return end
  if from and from ~= '' then
    local n = redis.call('HINCRBY', ev, 'n:' .. from, -1)
    if n <= 0 then
      redis.call('HDEL', ev, 'n:' .. from)
      redis.call('ZREM', k('idx', 'state', from), eventId)
      redis.call('ZREM', name_state_index(from, name), eventId)
    end
  end
  if to and to ~= '' then
    local n = redis.call('HINCRBY', ev, 'n:' .. to, 1)
    if n == 1 then
      redis.call('ZADD', k('idx', 'state', to), created, eventId)
      redis.call('ZADD', name_state_index(to, name), created, eventId)
    end
  end
end

-- Gives an event the retention of its runs once none of them is active any more, and keeps it
-- forever while one is (a run sleeping for a month must not lose its event).
local function settle_event(eventId, ttlCompleted, ttlDead)
  local ev = k('ev', eventId)
  for _, s in ipairs(ACTIVE_STATES) do
    if redis.call('HEXISTS', ev, 'n:' .. s) == 1 then
      redis.call('PERSIST', ev)
      return
    end
  end
  if redis.call('HEXISTS', ev, 'n:dead-lettered') == 1 then
    redis.call('PEXPIRE', ev, ttlDead)
  else
    redis.call('PEXPIRE', ev, ttlCompleted)
  end
end

local function run_keys(runId)
  return k('run', runId), k('run', runId, 'steps'), k('run', runId, 'attempts')
end

-- The states events are indexed by: their runs' states, and 'unmatched' for an event no workload
-- subscribes to. `npm run generate:lua` writes this line from keys.ts EVENT_STATES (same order: the
-- stats script answers counts in it, and store.ts labels them in EVENT_STATES order).
local STATES = { 'pending', 'processing', 'delayed', 'sleeping', 'completed', 'dead-lettered', 'unmatched' } -- generated from keys.ts EVENT_STATES

-- Removes one run's keys and its outbox entry (its event's tally and run list are the caller's).
local function drop_run(runId)
  local run, steps, attempts = run_keys(runId)
  redis.call('DEL', run, steps, attempts)
  redis.call('ZREM', k('outbox'), 'run:' .. runId)
end

-- Deletes an event with its runs, journals, index entries and outbox entries; 1 if it existed.
local function delete_event(eventId)
  local ev = k('ev', eventId)
  local f = redis.call('HMGET', ev, 'name', 'runs')
  for runId in string.gmatch(f[2] or '', '[^,]+') do drop_run(runId) end
  for _, s in ipairs(STATES) do
    redis.call('ZREM', k('idx', 'state', s), eventId)
    if f[1] then redis.call('ZREM', name_state_index(s, f[1]), eventId) end
  end
  redis.call('ZREM', k('idx', 'all'), eventId)
  if f[1] then
    redis.call('ZREM', k('idx', 'name', f[1]), eventId)
    if redis.call('ZCARD', k('idx', 'name', f[1])) == 0 then redis.call('SREM', k('idx', 'names'), f[1]) end
  end
  redis.call('ZREM', k('outbox'), 'route:' .. eventId)
  return redis.call('DEL', ev)
end

-- Deletes the runs of a routed event for which doomed(runId, state) holds: each leaves the event's
-- run list and tally (so the event leaves the state indexes it was only in through them), and the
-- event takes the retention of the runs it keeps. An event whose last run goes is deleted with it:
-- it has nothing left to show or retry. Returns runs deleted, events deleted (0 or 1).
local function delete_runs_of(eventId, doomed, ttlCompleted, ttlDead)
  local ev = k('ev', eventId)
  local kept, removed = {}, 0
  for runId in string.gmatch(redis.call('HGET', ev, 'runs') or '', '[^,]+') do
    local state = redis.call('HGET', k('run', runId), 'state')
    if state and doomed(runId, state) then
      drop_run(runId)
      tally(eventId, state, nil)
      removed = removed + 1
    else
      kept[#kept + 1] = runId
    end
  end
  if removed == 0 then return 0, 0 end
  if #kept == 0 then return removed, delete_event(eventId) end
  redis.call('HSET', ev, 'runs', table.concat(kept, ','))
  settle_event(eventId, ttlCompleted, ttlDead)
  return removed, 0
end

-- Ends a run in a terminal state (completed or dead-lettered): no more deliveries, and its keys
-- expire after the retention for that state.
local function terminate(runId, eventId, from, to, now, ttl, ttlCompleted, ttlDead)
  local run, steps, attempts = run_keys(runId)
  redis.call('HSET', run, 'state', to, 'finishedAt', now, 'nextAt', '', 'leaseUntil', '')
  redis.call('ZREM', k('outbox'), 'run:' .. runId)
  redis.call('PEXPIRE', run, ttl)
  redis.call('PEXPIRE', steps, ttl)
  redis.call('PEXPIRE', attempts, ttl)
  tally(eventId, from, to)
  settle_event(eventId, ttlCompleted, ttlDead)
end

-- Routes an accepted event, once: one pending run per target (targets_item(i) answers a workload's
-- name, URL and maxRetries), each with an outbox entry, and the event's own routing outbox entry
-- removed. Shared by route.lua (the router) and enqueue.lua (routing at send, by the router's
-- routing table). A repeat creates nothing and hands back the runs never claimed (pending at
-- generation 0), for republishing. Appends runId, url per run to publish to `out`.
local function route_event(eventId, targets_count, targets_item, now, outboxAt, ttlCompleted, out)
  local ev = k('ev', eventId)
  redis.call('ZREM', k('outbox'), 'route:' .. eventId)
  if redis.call('HGET', ev, 'routedAt') then
    for runId in string.gmatch(redis.call('HGET', ev, 'runs') or '', '[^,]+') do
      local state = redis.call('HMGET', k('run', runId), 'state', 'generation', 'url')
      if state[1] == 'pending' and state[2] == '0' then
        out[#out + 1] = runId
        out[#out + 1] = state[3]
      end
    end
    return
  end
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
end

-- The router's routing table (keys.ts routingTable): per lower-cased event name with subscribers,
-- field 'e:<name>' holds its unfiltered subscribers as JSON [[workload, url, maxRetries], ...], or
-- 'filtered' when one of them has an eventFilter; 'digest' names the registry it was written from.
-- It expires, so a deploy that changes the site's workloads is seen within its TTL.
local ROUTES_FILTERED = 'filtered'

-- Writes the table from the router's registry (`entries`: JSON {name: field value}) unless the
-- stored one has the same digest: an unchanged registry costs no write and keeps its expiry, so
-- once it expires the next event goes through the router, which writes it again. 1 if written.
local function write_routing_table(digest, entries, ttl)
  local key = k('routes')
  if redis.call('HGET', key, 'digest') == digest then return 0 end
  redis.call('DEL', key)
  redis.call('HSET', key, 'digest', digest)
  for name, value in pairs(cjson.decode(entries)) do redis.call('HSET', key, 'e:' .. name, value) end
  redis.call('PEXPIRE', key, ttl)
  return 1
end

-- The runs an event of this (lower-cased) name starts by the routing table: nil to leave it to the
-- router (no table, or a subscriber filters), else a list of {workload, url, maxRetries} (empty:
-- no workload subscribes, the event is unmatched).
local function routing_table_targets(name)
  local f = redis.call('HMGET', k('routes'), 'digest', 'e:' .. name)
  if not f[1] then return nil end
  if not f[2] then return {} end
  if f[2] == ROUTES_FILTERED then return nil end
  return cjson.decode(f[2])
end
