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
local STATES = { 'pending', 'processing', 'delayed', 'sleeping', 'completed', 'dead-lettered', 'cancelled', 'skipped', 'unmatched' } -- generated from keys.ts EVENT_STATES

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

-- The states a run ends in: nothing delivers it again (keys.ts FINAL_RUN_STATES; scripts.test.ts checks).
local FINAL_STATES = { ['completed'] = true, ['dead-lettered'] = true, ['cancelled'] = true, ['skipped'] = true }
local function is_final(state) return FINAL_STATES[state] == true end

-- Ends a run in a terminal state (completed, dead-lettered, cancelled or skipped): no more deliveries, and
-- its keys expire after the retention for that state.
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

-- step.waitForEvent's waiters. A waiting step is a member ("runId\tstepId") of the set of its
-- (event name, match path, value) and its path is counted in the name's hash of paths, so an event
-- finds its waiters with one lookup per path in use for its name. The value is cjson's encoding of
-- the matched value ('' with no match path), made the same way on both sides.
local function wait_key(name, path, value) return k('wait', name) .. '|' .. path .. '|' .. value end
local function wait_paths(name) return k('waitpaths', name) end

-- The value at a dotted path ("data.orderId") of a decoded event; nil when any part is missing.
local function value_at(event, path)
  local value = event
  for part in string.gmatch(path, '[^.]+') do
    if type(value) ~= 'table' then return nil end
    value = value[part]
    if value == nil or value == cjson.null then return nil end
  end
  return value
end

local function drop_waiter(name, path, value, runId, stepId)
  if redis.call('SREM', wait_key(name, path, value), runId .. '\t' .. stepId) == 1 then
    if redis.call('HINCRBY', wait_paths(name), path, -1) <= 0 then redis.call('HDEL', wait_paths(name), path) end
  end
end

-- How long a waiter outlives its wait's timeout: the run drops it when it wakes at the timeout, so
-- this only bounds what a run that never comes back (deleted, lost) leaves behind.
local WAITER_MARGIN_MS = 3600000

-- Gives a waiter key at least `ttl` ms more to live (never less than another waiter on it needs).
local function extend_waiter_key(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end

-- Registers a waiting step (see wait_key), its keys kept until its timeout plus the margin.
local function add_waiter(name, path, value, runId, stepId, now, timeoutAt)
  local key = wait_key(name, path, value)
  redis.call('SADD', key, runId .. '\t' .. stepId)
  redis.call('HINCRBY', wait_paths(name), path, 1)
  local ttl = math.max(tonumber(timeoutAt) - tonumber(now), 0) + WAITER_MARGIN_MS
  extend_waiter_key(key, ttl)
  extend_waiter_key(wait_paths(name), ttl)
end

-- A waited-for event as the step returns it (its data as stored, byte for byte).
local function waited_event(eventId, displayName, data, createdAt)
  return '{"eventId":' .. cjson.encode(eventId) .. ',"name":' .. cjson.encode(displayName) .. ',"data":' .. data ..
    ',"createdAt":' .. createdAt .. '}'
end

-- The journal entry of a wait that ended: with the event (JSON) or 'null' on timeout.
local function waited_record(w, result, now, eventId)
  local head = '{"status":"completed"'
  -- First, where wait.lua finds it (the events this run's waits took).
  if eventId then head = head .. ',"eventId":' .. cjson.encode(eventId) end
  return head .. ',"startedAt":' .. string.format('%d', w.startedAt) .. ',"endedAt":' .. now ..
    ',"timeoutAt":' .. string.format('%d', w.timeoutAt) ..
    ',"waitFor":' .. cjson.encode(w.waitFor) .. ',"result":' .. result .. '}'
end

-- The journal entry of a wait its run's cancellation ended: no event, and no timeout either.
local function cancelled_wait_record(w, now)
  return '{"status":"cancelled","startedAt":' .. string.format('%d', w.startedAt) .. ',"endedAt":' .. now ..
    ',"timeoutAt":' .. string.format('%d', w.timeoutAt) .. ',"waitFor":' .. cjson.encode(w.waitFor) .. '}'
end

-- Hands an event to one waiting step whose condition (its `if`, lib-condition.lua) the event meets:
-- its journal entry becomes the event, and its run is woken (a parked run becomes pending and is
-- appended to `out` for publishing, at the generation its next claim fences; a running one is
-- marked, so that its invocation does not park: finish.lua). 'taken' when the step got it,
-- 'unmet' when the condition does not hold (the step waits on), 'gone' when the step no longer waits.
local function resolve_wait(runId, stepId, event, result, now, outboxAt, out)
  local run, steps = run_keys(runId)
  local f = redis.call('HMGET', run, 'state', 'url', 'eventId', 'generation')
  local entry = redis.call('HGET', steps, stepId)
  if not f[1] or is_final(f[1]) or not entry then return 'gone' end
  local w = cjson.decode(entry)
  if w.status ~= 'waiting' then return 'gone' end
  if not condition_holds(w.condition, event) then return 'unmet' end
  redis.call('HSET', steps, stepId, waited_record(w, result, now, event.eventId))
  if f[1] == 'sleeping' then
    redis.call('HSET', run, 'state', 'pending', 'nextAt', '', 'leaseUntil', '')
    redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)
    tally(f[3], 'sleeping', 'pending')
    out[#out + 1] = runId
    out[#out + 1] = f[2]
    out[#out + 1] = f[4]
  elseif f[1] == 'processing' then
    redis.call('HSET', run, 'woken', 1)
  end
  return 'taken'
end

-- Delivers a newly routed event to the steps waiting for it whose condition it meets: at most one step per run.
local function deliver_waits(eventId, now, outboxAt, out)
  local e = redis.call('HMGET', k('ev', eventId), 'name', 'data', 'createdAt', 'displayName')
  if not e[1] then return end
  local paths = redis.call('HKEYS', wait_paths(e[1]))
  if #paths == 0 then return end
  local event = { eventId = eventId, name = e[4], data = cjson.decode(e[2] or 'null') }
  local result = waited_event(eventId, e[4], e[2] or 'null', e[3])
  local served = {}
  for _, path in ipairs(paths) do
    local value = ''
    if path ~= '' then
      local v = value_at(event, path)
      value = v ~= nil and cjson.encode(v) or nil
    end
    if value then
      for _, member in ipairs(redis.call('SMEMBERS', wait_key(e[1], path, value))) do
        local runId, stepId = string.match(member, '^([^\t]+)\t(.+)$')
        if not served[runId] then
          local answer = resolve_wait(runId, stepId, event, result, now, outboxAt, out)
          if answer == 'taken' then served[runId] = true end
          if answer ~= 'unmet' then drop_waiter(e[1], path, value, runId, stepId) end
        end
      end
    end
  end
end

-- Closes a run as cancelled, keeping its steps and attempts: the cancellation ({ by, reason, at })
-- goes into its history and its `cancellation` field. Cancelled runs are kept as long as completed ones.
-- A step waiting for an event stops waiting: its waiter is dropped and its entry says the wait was cancelled.
local function cancel_run(runId, eventId, from, cancellation, now, ttlCompleted, ttlDead)
  local run, steps, attempts = run_keys(runId)
  local c = cjson.decode(cancellation)
  redis.call('RPUSH', attempts, cjson.encode({ outcome = 'cancelled', endedAt = tonumber(now), by = c.by, reason = c.reason }))
  redis.call('HSET', run, 'cancellation', cancellation)
  -- Out of any concurrency queue (slots-release.lua drops an entry whose spec is gone).
  redis.call('HDEL', k('slots-waiting'), runId)
  local entries = redis.call('HGETALL', steps)
  for i = 1, #entries, 2 do
    -- A cheap look first: only a wait's entry is decoded (a step's result may be large).
    local w = string.find(entries[i + 1], '"status":"waiting"', 1, true) and cjson.decode(entries[i + 1])
    if w and w.status == 'waiting' and w.waitFor then
      drop_waiter(w.waitFor.event, w.waitFor.match or '', w.key or '', runId, entries[i])
      redis.call('HSET', steps, entries[i], cancelled_wait_record(w, now))
    end
  end
  terminate(runId, eventId, from, 'cancelled', now, ttlCompleted, ttlCompleted, ttlDead)
end

-- Routes an accepted event, once: one pending run per target (targets_item(i) answers a workload's
-- name, URL and maxRetries), each with an outbox entry, and the event's own routing outbox entry
-- removed. Shared by route.lua (the router) and enqueue.lua (routing at send, by the router's
-- routing table). A repeat creates nothing and hands back the runs never claimed (pending at
-- generation 0), for republishing. Appends runId, url, generation per run to publish to `out`.
local function route_event(eventId, targets_count, targets_item, now, outboxAt, ttlCompleted, out)
  local ev = k('ev', eventId)
  redis.call('ZREM', k('outbox'), 'route:' .. eventId)
  if redis.call('HGET', ev, 'routedAt') then
    for runId in string.gmatch(redis.call('HGET', ev, 'runs') or '', '[^,]+') do
      local state = redis.call('HMGET', k('run', runId), 'state', 'generation', 'url')
      if state[1] == 'pending' and state[2] == '0' then
        out[#out + 1] = runId
        out[#out + 1] = state[3]
        out[#out + 1] = '0'
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
    out[#out + 1] = '0'
  end
  redis.call('HSET', ev, 'routedAt', now, 'runs', table.concat(runIds, ','))
  deliver_waits(eventId, now, outboxAt, out)
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

-- Persists an accepted event and indexes it (pending, or delayed until delayUntil); routing it (its
-- outbox entry, or routing at send) is the caller's. Shared by enqueue.lua and record_run_failed.
local function insert_event(id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, chain)
  local ev = k('ev', id)
  redis.call('HSET', ev, 'id', id, 'name', name, 'displayName', displayName, 'data', data,
    'priority', priority, 'createdAt', createdAt, 'delayUntil', delayUntil, 'idempotencyKey', idempotencyKey)
  if chain ~= '0' then redis.call('HSET', ev, 'chain', chain) end
  redis.call('ZADD', k('idx', 'all'), createdAt, id)
  redis.call('ZADD', k('idx', 'name', name), createdAt, id)
  redis.call('SADD', k('idx', 'names'), name)
  if delayUntil ~= '' then tally(id, nil, 'delayed') else tally(id, nil, 'pending') end
end

-- Emits the run-failed event (internal-events.ts RUN_FAILED, given as `name`) for a run that was
-- just dead-lettered, in the script that dead-letters it: persisted with its routing outbox entry as
-- enqueue.lua persists a send, so the router routes it (to the workloads subscribed to it and to the
-- failed workload's onFailure handler) when it is published, or when the reconciler republishes it.
-- Its data is run-failed.ts RunFailedData; the run keeps its id as failureEventId. A run whose own
-- event is a run-failed event emits nothing: a failing onFailure handler or subscriber does not start
-- itself again. True when emitted.
local function record_run_failed(runId, failureEventId, name, now, outboxAt)
  if failureEventId == '' then return false end
  local run = k('run', runId)
  local r = redis.call('HMGET', run, 'eventId', 'workload', 'attempt', 'lastError')
  local e = redis.call('HMGET', k('ev', r[1]), 'name', 'displayName', 'data', 'chain')
  if e[1] == name then return false end
  local lastError = r[4] or cjson.encode({ name = 'Error', message = 'no error was recorded' })
  local step = cjson.decode(lastError).step
  local data = '{"runId":' .. cjson.encode(runId) .. ',"workload":' .. cjson.encode(r[2]) ..
    ',"attempt":' .. r[3] .. ',"error":' .. lastError ..
    ',"failedStep":' .. (type(step) == 'string' and cjson.encode(step) or 'null') ..
    ',"event":{"id":' .. cjson.encode(r[1]) .. ',"name":' .. cjson.encode(e[2] or '') ..
    ',"data":' .. (e[3] or 'null') .. '}}'
  -- It continues the failed run's chain of events (limits.ts), like an event the run sent.
  insert_event(failureEventId, name, name, data, 0, now, '', '', tostring((tonumber(e[4]) or 0) + 1))
  redis.call('ZADD', k('outbox'), outboxAt, 'route:' .. failureEventId)
  redis.call('HSET', run, 'failureEventId', failureEventId)
  return true
end
