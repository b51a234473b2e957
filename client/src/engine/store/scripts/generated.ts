// Generated from client/src/engine/store/scripts/*.lua by scripts/generate-lua-sources.ts: do not edit.
// Edit the .lua files (each one's header states its ARGV), then run `npm run generate:lua`.
import type { ArgSpec } from "./header.ts";

/** A script's argument as the caller gives it: sent to Redis as its string form. */
export type ScriptArg = string | number;

/** The engine's scripts, one per .lua file (the library, lib-*.lua then lib.lua, is prepended to each). */
export const SCRIPT_NAMES = [
  "cancel",
  "checkpoint",
  "claim",
  "debounce-take",
  "delete",
  "delete-in-states",
  "delete-runs",
  "enqueue",
  "fail-delivery",
  "finish",
  "page",
  "rate-limit",
  "reconcile",
  "rerun",
  "retry",
  "route",
  "routing-table",
  "slots-acquire",
  "slots-release",
  "stats",
  "throttle-take",
  "wait",
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export const LUA_LIB =
  "-- Event conditions (engine/event-condition.ts, the reference for these semantics): the `if` of a\n-- step.waitForEvent, evaluated here when an event meets a waiter. A condition arrives as the JSON\n-- tree event-condition.ts makes, its `async` paths already replaced by the triggering event's values, so\n-- only `event` paths are read: [\"lit\", v], [\"get\", \"event\", name or index...], [\"!\", a], [op, a, b].\n-- Pure functions, no keys: prepended before lib.lua, which uses them. event-condition.test.ts runs\n-- this file and event-condition.ts on one table of cases.\n\nlocal function cond_null(v) return v == nil or v == cjson.null end\n\n-- false, null, 0 and \"\" are falsy; everything else (tables included) is truthy.\nlocal function cond_truthy(v) return not (cond_null(v) or v == false or v == 0 or v == '') end\n\n-- Scalars by type and value; null equals only null; a table (object or array) equals nothing.\nlocal function cond_equal(a, b)\n  if cond_null(a) or cond_null(b) then return cond_null(a) and cond_null(b) end\n  local t = type(a)\n  return t ~= 'table' and t == type(b) and a == b\nend\n\n-- -1, 0 or 1 for two numbers, or two strings by bytes (Lua's own < on strings follows the locale);\n-- nil for anything else, which no ordering operator accepts.\nlocal function cond_order(a, b)\n  local ta, tb = type(a), type(b)\n  if ta == 'number' and tb == 'number' then return a < b and -1 or (a > b and 1 or 0) end\n  if ta ~= 'string' or tb ~= 'string' then return nil end\n  for i = 1, math.min(#a, #b) do\n    local x, y = string.byte(a, i), string.byte(b, i)\n    if x ~= y then return x < y and -1 or 1 end\n  end\n  return #a < #b and -1 or (#a > #b and 1 or 0)\nend\n\n-- The value at a path of the event: object fields by name, array items by (0-based) index; nil when missing.\nlocal function cond_read(node, event)\n  if node[2] ~= 'event' then return nil end\n  local v = event\n  for i = 3, #node do\n    local part = node[i]\n    if type(v) ~= 'table' then return nil end\n    if type(part) == 'number' then v = v[part + 1] else v = v[part] end\n    if cond_null(v) then return nil end\n  end\n  return v\nend\n\nlocal COND_ORDERED = {\n  ['<'] = function(o) return o < 0 end,\n  ['<='] = function(o) return o <= 0 end,\n  ['>'] = function(o) return o > 0 end,\n  ['>='] = function(o) return o >= 0 end,\n}\nlocal function cond_value(node, event)\n  local op = node[1]\n  if op == 'lit' then return node[2] end\n  if op == 'get' then return cond_read(node, event) end\n  if op == '!' then return not cond_truthy(cond_value(node[2], event)) end\n  if op == '&&' then return cond_truthy(cond_value(node[2], event)) and cond_truthy(cond_value(node[3], event)) end\n  if op == '||' then return cond_truthy(cond_value(node[2], event)) or cond_truthy(cond_value(node[3], event)) end\n  local a, b = cond_value(node[2], event), cond_value(node[3], event)\n  if op == '==' then return cond_equal(a, b) end\n  if op == '!=' then return not cond_equal(a, b) end\n  local order = cond_order(a, b)\n  return order ~= nil and COND_ORDERED[op](order)\nend\n\n-- Whether a stored condition (its JSON; '' or nil for none) holds for a decoded event { eventId, name, data }.\nlocal function condition_holds(condition, event)\n  if condition == nil or condition == '' then return true end\n  return cond_truthy(cond_value(cjson.decode(condition), event))\nend\n\n-- Shared helpers, prepended to every engine script by run.ts (Redis has no include).\n-- Every script receives the key prefix as ARGV[1]; keys are built here so that their layout lives\n-- in one place on the Lua side, mirroring keys.ts on the TypeScript side.\nlocal P = ARGV[1]\nlocal function k(...) return P .. table.concat({ ... }, ':') end\n\n-- One idempotency key of one (lower-cased) event name (keys.ts `idempotency`). Names may hold '/'\n-- but never '#', so the first '#' ends the name and no (name, key) pair builds another's key.\nlocal function idempotency_key(name, key) return k('idem', name) .. '#' .. key end\n\nlocal ACTIVE_STATES = { 'pending', 'processing', 'delayed', 'sleeping' }\n\n-- The index of one state's events of one (lower-cased) name. The state comes first: it never holds\n-- a ':', so no event name can make this key collide with another.\nlocal function name_state_index(state, name) return k('idx', 'ns', state, name) end\n\n-- Moves one unit of an event's tally from one state to another. An event's tally counts its runs\n-- (and, before routing, the event itself) per state; the per-state event index, and the per-state\n-- index of the event's name, hold exactly the events whose tally for that state is above zero, so\n-- listing and counting by state (and name) need no scan.\nlocal function tally(eventId, from, to)\n  local ev = k('ev', eventId)\n  local f = redis.call('HMGET', ev, 'createdAt', 'name')\n  local created, name = f[1], f[2]\n  if not created then return end\n  if from and from ~= '' then\n    local n = redis.call('HINCRBY', ev, 'n:' .. from, -1)\n    if n <= 0 then\n      redis.call('HDEL', ev, 'n:' .. from)\n      redis.call('ZREM', k('idx', 'state', from), eventId)\n      redis.call('ZREM', name_state_index(from, name), eventId)\n    end\n  end\n  if to and to ~= '' then\n    local n = redis.call('HINCRBY', ev, 'n:' .. to, 1)\n    if n == 1 then\n      redis.call('ZADD', k('idx', 'state', to), created, eventId)\n      redis.call('ZADD', name_state_index(to, name), created, eventId)\n    end\n  end\nend\n\n-- Gives an event the retention of its runs once none of them is active any more, and keeps it\n-- forever while one is (a run sleeping for a month must not lose its event).\nlocal function settle_event(eventId, ttlCompleted, ttlDead)\n  local ev = k('ev', eventId)\n  for _, s in ipairs(ACTIVE_STATES) do\n    if redis.call('HEXISTS', ev, 'n:' .. s) == 1 then\n      redis.call('PERSIST', ev)\n      return\n    end\n  end\n  if redis.call('HEXISTS', ev, 'n:dead-lettered') == 1 then\n    redis.call('PEXPIRE', ev, ttlDead)\n  else\n    redis.call('PEXPIRE', ev, ttlCompleted)\n  end\nend\n\nlocal function run_keys(runId)\n  return k('run', runId), k('run', runId, 'steps'), k('run', runId, 'attempts')\nend\n\n-- The states events are indexed by: their runs' states, and 'unmatched' for an event no workload\n-- subscribes to. `npm run generate:lua` writes this line from keys.ts EVENT_STATES (same order: the\n-- stats script answers counts in it, and store.ts labels them in EVENT_STATES order).\nlocal STATES = { 'pending', 'processing', 'delayed', 'sleeping', 'completed', 'dead-lettered', 'cancelled', 'skipped', 'unmatched' } -- generated from keys.ts EVENT_STATES\n\n-- Removes one run's keys and its outbox entry (its event's tally and run list are the caller's).\nlocal function drop_run(runId)\n  local run, steps, attempts = run_keys(runId)\n  redis.call('DEL', run, steps, attempts)\n  redis.call('ZREM', k('outbox'), 'run:' .. runId)\nend\n\n-- Deletes an event with its runs, journals, index entries and outbox entries; 1 if it existed.\nlocal function delete_event(eventId)\n  local ev = k('ev', eventId)\n  local f = redis.call('HMGET', ev, 'name', 'runs')\n  for runId in string.gmatch(f[2] or '', '[^,]+') do drop_run(runId) end\n  for _, s in ipairs(STATES) do\n    redis.call('ZREM', k('idx', 'state', s), eventId)\n    if f[1] then redis.call('ZREM', name_state_index(s, f[1]), eventId) end\n  end\n  redis.call('ZREM', k('idx', 'all'), eventId)\n  if f[1] then\n    redis.call('ZREM', k('idx', 'name', f[1]), eventId)\n    if redis.call('ZCARD', k('idx', 'name', f[1])) == 0 then redis.call('SREM', k('idx', 'names'), f[1]) end\n  end\n  redis.call('ZREM', k('outbox'), 'route:' .. eventId)\n  return redis.call('DEL', ev)\nend\n\n-- Deletes the runs of a routed event for which doomed(runId, state) holds: each leaves the event's\n-- run list and tally (so the event leaves the state indexes it was only in through them), and the\n-- event takes the retention of the runs it keeps. An event whose last run goes is deleted with it:\n-- it has nothing left to show or retry. Returns runs deleted, events deleted (0 or 1).\nlocal function delete_runs_of(eventId, doomed, ttlCompleted, ttlDead)\n  local ev = k('ev', eventId)\n  local kept, removed = {}, 0\n  for runId in string.gmatch(redis.call('HGET', ev, 'runs') or '', '[^,]+') do\n    local state = redis.call('HGET', k('run', runId), 'state')\n    if state and doomed(runId, state) then\n      drop_run(runId)\n      tally(eventId, state, nil)\n      removed = removed + 1\n    else\n      kept[#kept + 1] = runId\n    end\n  end\n  if removed == 0 then return 0, 0 end\n  if #kept == 0 then return removed, delete_event(eventId) end\n  redis.call('HSET', ev, 'runs', table.concat(kept, ','))\n  settle_event(eventId, ttlCompleted, ttlDead)\n  return removed, 0\nend\n\n-- The states a run ends in: nothing delivers it again (keys.ts FINAL_RUN_STATES; scripts.test.ts checks).\nlocal FINAL_STATES = { ['completed'] = true, ['dead-lettered'] = true, ['cancelled'] = true, ['skipped'] = true }\nlocal function is_final(state) return FINAL_STATES[state] == true end\n\n-- Ends a run in a terminal state (completed, dead-lettered, cancelled or skipped): no more deliveries, and\n-- its keys expire after the retention for that state.\nlocal function terminate(runId, eventId, from, to, now, ttl, ttlCompleted, ttlDead)\n  local run, steps, attempts = run_keys(runId)\n  redis.call('HSET', run, 'state', to, 'finishedAt', now, 'nextAt', '', 'leaseUntil', '')\n  redis.call('ZREM', k('outbox'), 'run:' .. runId)\n  redis.call('PEXPIRE', run, ttl)\n  redis.call('PEXPIRE', steps, ttl)\n  redis.call('PEXPIRE', attempts, ttl)\n  tally(eventId, from, to)\n  settle_event(eventId, ttlCompleted, ttlDead)\nend\n\n-- step.waitForEvent's waiters. A waiting step is a member (\"runId\\tstepId\") of the set of its\n-- (event name, match path, value) and its path is counted in the name's hash of paths, so an event\n-- finds its waiters with one lookup per path in use for its name. The value is cjson's encoding of\n-- the matched value ('' with no match path), made the same way on both sides.\nlocal function wait_key(name, path, value) return k('wait', name) .. '|' .. path .. '|' .. value end\nlocal function wait_paths(name) return k('waitpaths', name) end\n\n-- The value at a dotted path (\"data.orderId\") of a decoded event; nil when any part is missing.\nlocal function value_at(event, path)\n  local value = event\n  for part in string.gmatch(path, '[^.]+') do\n    if type(value) ~= 'table' then return nil end\n    value = value[part]\n    if value == nil or value == cjson.null then return nil end\n  end\n  return value\nend\n\nlocal function drop_waiter(name, path, value, runId, stepId)\n  if redis.call('SREM', wait_key(name, path, value), runId .. '\\t' .. stepId) == 1 then\n    if redis.call('HINCRBY', wait_paths(name), path, -1) <= 0 then redis.call('HDEL', wait_paths(name), path) end\n  end\nend\n\n-- How long a waiter outlives its wait's timeout: the run drops it when it wakes at the timeout, so\n-- this only bounds what a run that never comes back (deleted, lost) leaves behind.\nlocal WAITER_MARGIN_MS = 3600000\n\n-- Gives a waiter key at least `ttl` ms more to live (never less than another waiter on it needs).\nlocal function extend_waiter_key(key, ttl)\n  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end\nend\n\n-- Registers a waiting step (see wait_key), its keys kept until its timeout plus the margin.\nlocal function add_waiter(name, path, value, runId, stepId, now, timeoutAt)\n  local key = wait_key(name, path, value)\n  redis.call('SADD', key, runId .. '\\t' .. stepId)\n  redis.call('HINCRBY', wait_paths(name), path, 1)\n  local ttl = math.max(tonumber(timeoutAt) - tonumber(now), 0) + WAITER_MARGIN_MS\n  extend_waiter_key(key, ttl)\n  extend_waiter_key(wait_paths(name), ttl)\nend\n\n-- A waited-for event as the step returns it (its data as stored, byte for byte).\nlocal function waited_event(eventId, displayName, data, createdAt)\n  return '{\"eventId\":' .. cjson.encode(eventId) .. ',\"name\":' .. cjson.encode(displayName) .. ',\"data\":' .. data ..\n    ',\"createdAt\":' .. createdAt .. '}'\nend\n\n-- The journal entry of a wait that ended: with the event (JSON) or 'null' on timeout.\nlocal function waited_record(w, result, now, eventId)\n  local head = '{\"status\":\"completed\"'\n  -- First, where wait.lua finds it (the events this run's waits took).\n  if eventId then head = head .. ',\"eventId\":' .. cjson.encode(eventId) end\n  return head .. ',\"startedAt\":' .. string.format('%d', w.startedAt) .. ',\"endedAt\":' .. now ..\n    ',\"timeoutAt\":' .. string.format('%d', w.timeoutAt) ..\n    ',\"waitFor\":' .. cjson.encode(w.waitFor) .. ',\"result\":' .. result .. '}'\nend\n\n-- The journal entry of a wait its run's cancellation ended: no event, and no timeout either.\nlocal function cancelled_wait_record(w, now)\n  return '{\"status\":\"cancelled\",\"startedAt\":' .. string.format('%d', w.startedAt) .. ',\"endedAt\":' .. now ..\n    ',\"timeoutAt\":' .. string.format('%d', w.timeoutAt) .. ',\"waitFor\":' .. cjson.encode(w.waitFor) .. '}'\nend\n\n-- Hands an event to one waiting step whose condition (its `if`, lib-condition.lua) the event meets:\n-- its journal entry becomes the event, and its run is woken (a parked run becomes pending and is\n-- appended to `out` for publishing, at the generation its next claim fences; a running one is\n-- marked, so that its invocation does not park: finish.lua). 'taken' when the step got it,\n-- 'unmet' when the condition does not hold (the step waits on), 'gone' when the step no longer waits.\nlocal function resolve_wait(runId, stepId, event, result, now, outboxAt, out)\n  local run, steps = run_keys(runId)\n  local f = redis.call('HMGET', run, 'state', 'url', 'eventId', 'generation')\n  local entry = redis.call('HGET', steps, stepId)\n  if not f[1] or is_final(f[1]) or not entry then return 'gone' end\n  local w = cjson.decode(entry)\n  if w.status ~= 'waiting' then return 'gone' end\n  if not condition_holds(w.condition, event) then return 'unmet' end\n  redis.call('HSET', steps, stepId, waited_record(w, result, now, event.eventId))\n  if f[1] == 'sleeping' then\n    redis.call('HSET', run, 'state', 'pending', 'nextAt', '', 'leaseUntil', '')\n    redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)\n    tally(f[3], 'sleeping', 'pending')\n    out[#out + 1] = runId\n    out[#out + 1] = f[2]\n    out[#out + 1] = f[4]\n  elseif f[1] == 'processing' then\n    redis.call('HSET', run, 'woken', 1)\n  end\n  return 'taken'\nend\n\n-- Delivers a newly routed event to the steps waiting for it whose condition it meets: at most one step per run.\nlocal function deliver_waits(eventId, now, outboxAt, out)\n  local e = redis.call('HMGET', k('ev', eventId), 'name', 'data', 'createdAt', 'displayName')\n  if not e[1] then return end\n  local paths = redis.call('HKEYS', wait_paths(e[1]))\n  if #paths == 0 then return end\n  local event = { eventId = eventId, name = e[4], data = cjson.decode(e[2] or 'null') }\n  local result = waited_event(eventId, e[4], e[2] or 'null', e[3])\n  local served = {}\n  for _, path in ipairs(paths) do\n    local value = ''\n    if path ~= '' then\n      local v = value_at(event, path)\n      value = v ~= nil and cjson.encode(v) or nil\n    end\n    if value then\n      for _, member in ipairs(redis.call('SMEMBERS', wait_key(e[1], path, value))) do\n        local runId, stepId = string.match(member, '^([^\\t]+)\\t(.+)$')\n        if not served[runId] then\n          local answer = resolve_wait(runId, stepId, event, result, now, outboxAt, out)\n          if answer == 'taken' then served[runId] = true end\n          if answer ~= 'unmet' then drop_waiter(e[1], path, value, runId, stepId) end\n        end\n      end\n    end\n  end\nend\n\n-- Closes a run as cancelled, keeping its steps and attempts: the cancellation ({ by, reason, at })\n-- goes into its history and its `cancellation` field. Cancelled runs are kept as long as completed ones.\n-- A step waiting for an event stops waiting: its waiter is dropped and its entry says the wait was cancelled.\nlocal function cancel_run(runId, eventId, from, cancellation, now, ttlCompleted, ttlDead)\n  local run, steps, attempts = run_keys(runId)\n  local c = cjson.decode(cancellation)\n  redis.call('RPUSH', attempts, cjson.encode({ outcome = 'cancelled', endedAt = tonumber(now), by = c.by, reason = c.reason }))\n  redis.call('HSET', run, 'cancellation', cancellation)\n  -- Out of any concurrency queue (slots-release.lua drops an entry whose spec is gone).\n  redis.call('HDEL', k('slots-waiting'), runId)\n  local entries = redis.call('HGETALL', steps)\n  for i = 1, #entries, 2 do\n    -- A cheap look first: only a wait's entry is decoded (a step's result may be large).\n    local w = string.find(entries[i + 1], '\"status\":\"waiting\"', 1, true) and cjson.decode(entries[i + 1])\n    if w and w.status == 'waiting' and w.waitFor then\n      drop_waiter(w.waitFor.event, w.waitFor.match or '', w.key or '', runId, entries[i])\n      redis.call('HSET', steps, entries[i], cancelled_wait_record(w, now))\n    end\n  end\n  terminate(runId, eventId, from, 'cancelled', now, ttlCompleted, ttlCompleted, ttlDead)\nend\n\n-- Routes an accepted event, once: one pending run per target (targets_item(i) answers a workload's\n-- name, URL and maxRetries), each with an outbox entry, and the event's own routing outbox entry\n-- removed. Shared by route.lua (the router) and enqueue.lua (routing at send, by the router's\n-- routing table). A repeat creates nothing and hands back the runs never claimed (pending at\n-- generation 0), for republishing. Appends runId, url, generation per run to publish to `out`.\nlocal function route_event(eventId, targets_count, targets_item, now, outboxAt, ttlCompleted, out)\n  local ev = k('ev', eventId)\n  redis.call('ZREM', k('outbox'), 'route:' .. eventId)\n  if redis.call('HGET', ev, 'routedAt') then\n    for runId in string.gmatch(redis.call('HGET', ev, 'runs') or '', '[^,]+') do\n      local state = redis.call('HMGET', k('run', runId), 'state', 'generation', 'url')\n      if state[1] == 'pending' and state[2] == '0' then\n        out[#out + 1] = runId\n        out[#out + 1] = state[3]\n        out[#out + 1] = '0'\n      end\n    end\n    return\n  end\n  local fields = redis.call('HMGET', ev, 'displayName', 'priority', 'delayUntil')\n  local runIds = {}\n  for i = 1, targets_count do\n    local workload, url, maxRetries = targets_item(i)\n    local runId = eventId .. '.' .. workload\n    redis.call('HSET', k('run', runId), 'id', runId, 'eventId', eventId, 'eventName', fields[1],\n      'workload', workload, 'url', url, 'state', 'pending', 'attempt', 1, 'generation', 0,\n      'maxRetries', maxRetries, 'priority', fields[2], 'createdAt', now, 'nextAt', '')\n    tally(eventId, nil, 'pending')\n    redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)\n    runIds[#runIds + 1] = runId\n    out[#out + 1] = runId\n    out[#out + 1] = url\n    out[#out + 1] = '0'\n  end\n  redis.call('HSET', ev, 'routedAt', now, 'runs', table.concat(runIds, ','))\n  deliver_waits(eventId, now, outboxAt, out)\n  -- The event itself stops counting as pending (or delayed); its runs count from now on. An event\n  -- no workload subscribes to is kept as unmatched, for the completed retention.\n  local waited = fields[3] ~= '' and 'delayed' or 'pending'\n  if targets_count == 0 then\n    tally(eventId, waited, 'unmatched')\n    redis.call('PEXPIRE', ev, ttlCompleted)\n  else\n    tally(eventId, waited, nil)\n  end\nend\n\n-- The router's routing table (keys.ts routingTable): per lower-cased event name with subscribers,\n-- field 'e:<name>' holds its unfiltered subscribers as JSON [[workload, url, maxRetries], ...], or\n-- 'filtered' when one of them has an eventFilter; 'digest' names the registry it was written from.\n-- It expires, so a deploy that changes the site's workloads is seen within its TTL.\nlocal ROUTES_FILTERED = 'filtered'\n\n-- Writes the table from the router's registry (`entries`: JSON {name: field value}) unless the\n-- stored one has the same digest: an unchanged registry costs no write and keeps its expiry, so\n-- once it expires the next event goes through the router, which writes it again. 1 if written.\nlocal function write_routing_table(digest, entries, ttl)\n  local key = k('routes')\n  if redis.call('HGET', key, 'digest') == digest then return 0 end\n  redis.call('DEL', key)\n  redis.call('HSET', key, 'digest', digest)\n  for name, value in pairs(cjson.decode(entries)) do redis.call('HSET', key, 'e:' .. name, value) end\n  redis.call('PEXPIRE', key, ttl)\n  return 1\nend\n\n-- The runs an event of this (lower-cased) name starts by the routing table: nil to leave it to the\n-- router (no table, or a subscriber filters), else a list of {workload, url, maxRetries} (empty:\n-- no workload subscribes, the event is unmatched).\nlocal function routing_table_targets(name)\n  local f = redis.call('HMGET', k('routes'), 'digest', 'e:' .. name)\n  if not f[1] then return nil end\n  if not f[2] then return {} end\n  if f[2] == ROUTES_FILTERED then return nil end\n  return cjson.decode(f[2])\nend\n\n-- Persists an accepted event and indexes it (pending, or delayed until delayUntil); routing it (its\n-- outbox entry, or routing at send) is the caller's. Shared by enqueue.lua and record_run_failed.\nlocal function insert_event(id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, chain)\n  local ev = k('ev', id)\n  redis.call('HSET', ev, 'id', id, 'name', name, 'displayName', displayName, 'data', data,\n    'priority', priority, 'createdAt', createdAt, 'delayUntil', delayUntil, 'idempotencyKey', idempotencyKey)\n  if chain ~= '0' then redis.call('HSET', ev, 'chain', chain) end\n  redis.call('ZADD', k('idx', 'all'), createdAt, id)\n  redis.call('ZADD', k('idx', 'name', name), createdAt, id)\n  redis.call('SADD', k('idx', 'names'), name)\n  if delayUntil ~= '' then tally(id, nil, 'delayed') else tally(id, nil, 'pending') end\nend\n\n-- Emits the run-failed event (internal-events.ts RUN_FAILED, given as `name`) for a run that was\n-- just dead-lettered, in the script that dead-letters it: persisted with its routing outbox entry as\n-- enqueue.lua persists a send, so the router routes it (to the workloads subscribed to it and to the\n-- failed workload's onFailure handler) when it is published, or when the reconciler republishes it.\n-- Its data is run-failed.ts RunFailedData; the run keeps its id as failureEventId. A run whose own\n-- event is a run-failed event emits nothing: a failing onFailure handler or subscriber does not start\n-- itself again. True when emitted.\nlocal function record_run_failed(runId, failureEventId, name, now, outboxAt)\n  if failureEventId == '' then return false end\n  local run = k('run', runId)\n  local r = redis.call('HMGET', run, 'eventId', 'workload', 'attempt', 'lastError')\n  local e = redis.call('HMGET', k('ev', r[1]), 'name', 'displayName', 'data', 'chain')\n  if e[1] == name then return false end\n  local lastError = r[4] or cjson.encode({ name = 'Error', message = 'no error was recorded' })\n  local step = cjson.decode(lastError).step\n  local data = '{\"runId\":' .. cjson.encode(runId) .. ',\"workload\":' .. cjson.encode(r[2]) ..\n    ',\"attempt\":' .. r[3] .. ',\"error\":' .. lastError ..\n    ',\"failedStep\":' .. (type(step) == 'string' and cjson.encode(step) or 'null') ..\n    ',\"event\":{\"id\":' .. cjson.encode(r[1]) .. ',\"name\":' .. cjson.encode(e[2] or '') ..\n    ',\"data\":' .. (e[3] or 'null') .. '}}'\n  -- It continues the failed run's chain of events (limits.ts), like an event the run sent.\n  insert_event(failureEventId, name, name, data, 0, now, '', '', tostring((tonumber(e[4]) or 0) + 1))\n  redis.call('ZADD', k('outbox'), outboxAt, 'route:' .. failureEventId)\n  redis.call('HSET', run, 'failureEventId', failureEventId)\n  return true\nend\n";

export const LUA_SOURCES: { readonly [N in ScriptName]: string } = {
  cancel:
    "-- Cancels runs, keeping their history. A run waiting for a delivery (pending, delayed, sleeping) is\n-- closed here: its next delivery finds it ended and changes nothing. A run an invocation holds is\n-- marked: the step running finishes and is stored, nothing after it starts, and the invocation's\n-- outcome closes it (checkpoint.lua, finish.lua; claim.lua if the invocation dies). Ended runs are left as they are.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, now, cancellation, ttlCompleted, ttlDead, ...runIds\n--   cancellation: JSON { by, reason, at }\n-- Reply: a flat list: runId, 'cancelled' | 'cancelling' for each run that was active\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal now = ARGV[2]\nlocal cancellation = ARGV[3]\nlocal ttlCompleted = ARGV[4]\nlocal ttlDead = ARGV[5]\nlocal runIds_count = #ARGV - 6 + 1\nlocal function runIds_item(i) local b = 6 + i - 1 return ARGV[b] end\n-- end of generated ARGV\nlocal out = {}\nfor i = 1, runIds_count do\n  local runId = runIds_item(i)\n  local run = k('run', runId)\n  local f = redis.call('HMGET', run, 'state', 'eventId')\n  local state = f[1]\n  if state == 'pending' or state == 'delayed' or state == 'sleeping' then\n    cancel_run(runId, f[2], state, cancellation, now, ttlCompleted, ttlDead)\n    out[#out + 1] = runId\n    out[#out + 1] = 'cancelled'\n  elseif state == 'processing' then\n    if redis.call('HEXISTS', run, 'cancellation') == 0 then redis.call('HSET', run, 'cancellation', cancellation) end\n    out[#out + 1] = runId\n    out[#out + 1] = 'cancelling'\n  end\nend\nreturn out\n",
  checkpoint:
    "-- Records one completed step in the run's journal, fenced by the generation claimed for this\n-- invocation: a stale or duplicate invocation writes nothing (invariant 2).\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, runId, generation, stepId, record\n--   record: the journal entry (JSON)\n-- Reply: 1 when written, 2 when written and the run was cancelled meanwhile (start nothing more), 0 when fenced out.\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal runId = ARGV[2]\nlocal generation = ARGV[3]\nlocal stepId = ARGV[4]\nlocal record = ARGV[5]\n-- end of generated ARGV\nlocal run, steps = run_keys(runId)\n-- The cancellation mark is read with the fence, so a step costs no extra command for it.\nlocal f = redis.call('HMGET', run, 'generation', 'state', 'cancellation')\nif f[1] ~= generation or f[2] ~= 'processing' then return 0 end\nredis.call('HSET', steps, stepId, record)\nif f[3] then return 2 end\nreturn 1\n",
  claim:
    "-- Claims a run for one invocation: a fenced lease (the generation goes up by one, and every later\n-- write of this invocation must present it), plus everything the invocation needs to replay, in\n-- one round trip: the event, and the journal of completed steps.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, runId, now, leaseUntil, outboxAt, earlyToleranceMs, ttlCompleted, ttlDead, claimToken, failureEventId, failureEventName, failureOutboxAt\n--   claimToken is unique per call: a resend of the same call carries it, a concurrent duplicate delivery does not\n--   failureEventId, failureEventName, failureOutboxAt: the run-failed event a dead-lettered run emits (lib.lua record_run_failed)\n-- Reply: {status, ...}, one of:\n--   {'claimed', generation, attempt, eventId, workload, eventName, data, priority, createdAt, {stepId, record, ...}, url, maxRetries, dueAt, chain}\n--                       (dueAt: when the run was due; a delivery up to earlyToleranceMs early waits for it;\n--                        chain: how many events led to the run's event through workloads' sends)\n--   {'busy'}            another invocation holds a live lease (a duplicate delivery)\n--   {'early', nextAt}   a stale delivery for a run that is waiting until nextAt\n--   {'done', state}     the run already ended\n--   {'missing'}         no such run (deleted, or expired)\n--   {'dead-lettered', failureEventId}   the previous invocation died and that was the last attempt\n--                       (failureEventId: the run-failed event emitted, to publish to the router; '' for none)\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal runId = ARGV[2]\nlocal now = ARGV[3]\nlocal leaseUntil = ARGV[4]\nlocal outboxAt = ARGV[5]\nlocal earlyToleranceMs = ARGV[6]\nlocal ttlCompleted = ARGV[7]\nlocal ttlDead = ARGV[8]\nlocal claimToken = ARGV[9]\nlocal failureEventId = ARGV[10]\nlocal failureEventName = ARGV[11]\nlocal failureOutboxAt = ARGV[12]\n-- end of generated ARGV\nlocal nowMs = tonumber(now)\nlocal run, steps, attempts = run_keys(runId)\nlocal fields = redis.call('HMGET', run, 'state', 'leaseUntil', 'nextAt', 'attempt', 'maxRetries', 'eventId', 'workload', 'url')\nlocal state = fields[1]\nif not state then return { 'missing' } end\nif is_final(state) then return { 'done', state } end\nlocal attempt = tonumber(fields[4])\nlocal eventId = fields[6]\n\nlocal function claimed(generation, dueAt)\n  local ev = redis.call('HMGET', k('ev', eventId), 'displayName', 'data', 'priority', 'createdAt', 'chain')\n  return { 'claimed', tostring(generation), tostring(attempt), eventId, fields[7], ev[1] or '', ev[2] or 'null',\n    ev[3] or '0', ev[4] or '0', redis.call('HGETALL', steps), fields[8], fields[5], dueAt, ev[5] or '0' }\nend\n\nif state == 'processing' and redis.call('HGET', run, 'claimToken') == claimToken then\n  -- A repeat of this very claim (the client resends a script whose answer was lost): answer it again\n  -- instead of calling the lease busy, which would lose an attempt that never failed.\n  return claimed(redis.call('HGET', run, 'generation'), redis.call('HGET', run, 'claimedDueAt') or '')\nend\nif state == 'processing' then\n  if tonumber(fields[2]) > nowMs then return { 'busy' } end\n  -- Cancelled while its invocation ran, and that invocation died: close it instead of retrying.\n  local cancellation = redis.call('HGET', run, 'cancellation')\n  if cancellation then\n    cancel_run(runId, eventId, state, cancellation, nowMs, ttlCompleted, ttlDead)\n    return { 'done', 'cancelled' }\n  end\n  -- The invocation holding the lease died or overran without recording an outcome: that attempt failed.\n  local err = cjson.encode({ name = 'LeaseExpired', message = 'The invocation stopped before recording an outcome (crashed, killed or timed out).' })\n  redis.call('RPUSH', attempts, cjson.encode({ attempt = attempt, outcome = 'lease-expired', endedAt = nowMs, error = cjson.decode(err) }))\n  redis.call('HSET', run, 'lastError', err)\n  attempt = attempt + 1\n  if attempt > tonumber(fields[5]) + 1 then\n    terminate(runId, eventId, state, 'dead-lettered', nowMs, ttlDead, ttlCompleted, ttlDead)\n    local emitted = record_run_failed(runId, failureEventId, failureEventName, nowMs, failureOutboxAt)\n    return { 'dead-lettered', emitted and failureEventId or '' }\n  end\n  redis.call('HSET', run, 'attempt', attempt)\nelseif (tonumber(fields[3]) or 0) > nowMs + tonumber(earlyToleranceMs) then\n  return { 'early', fields[3] }\nend\nlocal generation = redis.call('HINCRBY', run, 'generation', 1)\nlocal dueAt = fields[3] or ''\nredis.call('HSET', run, 'state', 'processing', 'leaseUntil', leaseUntil, 'startedAt', now, 'nextAt', '',\n  'claimedDueAt', dueAt, 'claimToken', claimToken)\nredis.call('HDEL', run, 'woken')\ntally(eventId, state, 'processing')\nredis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)\nreturn claimed(generation, dueAt)\n",
  "debounce-take":
    "-- Decides a run's start under a debounce (engine/debounce.ts). A run arriving becomes the latest of\n-- its key's burst, due `period` after it (or at the burst's first arrival plus maxWait, if sooner),\n-- and is told to wait until then, unless its event is older than the latest's (deliveries do not\n-- keep the order events were sent in): then it is replaced at once. When a run comes back: the\n-- latest, due, runs (and the burst ends); one that a later arrival replaced is told so. Runs already seen are kept in the burst's `runs`\n-- hash until they come back, so a replaced run is recognised even after a new burst began.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, debounceKey, runId, now, eventAt, periodMs, maxWaitMs\n--   eventAt: when the run's event was accepted; maxWaitMs: 0 for none\n-- Reply: { 'run' }, { 'wait', dueAt }, or { 'replaced', latestRunId }\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal debounceKey = ARGV[2]\nlocal runId = ARGV[3]\nlocal now = ARGV[4]\nlocal eventAt = ARGV[5]\nlocal periodMs = ARGV[6]\nlocal maxWaitMs = ARGV[7]\n-- end of generated ARGV\nnow = tonumber(now)\nlocal burst = k('debounce', debounceKey)\nlocal seen = k('debounce', debounceKey, 'runs')\nlocal latest = redis.call('HGET', burst, 'latest')\nif redis.call('HEXISTS', seen, runId) == 1 then\n  if latest == runId then\n    local dueAt = tonumber(redis.call('HGET', burst, 'dueAt'))\n    if dueAt > now then return { 'wait', tostring(dueAt) } end\n    redis.call('DEL', burst)\n    redis.call('HDEL', seen, runId)\n    return { 'run' }\n  end\n  redis.call('HDEL', seen, runId)\n  return { 'replaced', latest or '' }\nend\nif latest and tonumber(redis.call('HGET', burst, 'latestAt')) > tonumber(eventAt) then\n  return { 'replaced', latest }\nend\nlocal firstAt = tonumber(redis.call('HGET', burst, 'firstAt') or now)\nlocal dueAt = now + tonumber(periodMs)\nif tonumber(maxWaitMs) > 0 and firstAt + tonumber(maxWaitMs) < dueAt then dueAt = firstAt + tonumber(maxWaitMs) end\nif dueAt <= now then\n  redis.call('DEL', burst)\n  return { 'run' }\nend\nredis.call('HSET', burst, 'latest', runId, 'latestAt', eventAt, 'firstAt', firstAt, 'dueAt', dueAt)\nredis.call('HSET', seen, runId, 1)\nredis.call('PEXPIRE', burst, dueAt - now + 3600000)\nredis.call('PEXPIRE', seen, dueAt - now + 3600000)\nreturn { 'wait', tostring(dueAt) }\n",
  delete:
    "-- Deletes events with their runs, journals, index entries and outbox entries.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, ...eventIds\n-- Reply: the number of events deleted\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal eventIds_count = #ARGV - 2 + 1\nlocal function eventIds_item(i) local b = 2 + i - 1 return ARGV[b] end\n-- end of generated ARGV\nlocal deleted = 0\nfor i = 1, eventIds_count do deleted = deleted + delete_event(eventIds_item(i)) end\nreturn deleted\n",
  "delete-in-states":
    "-- Deletes the runs of some events that are in some states: \"delete every dead-lettered checkout\"\n-- removes the dead-lettered runs and keeps a checkout's completed ones (see delete_runs_of in\n-- lib.lua). States are checked here, atomically, not when the caller listed the events. An event\n-- without runs (not routed yet, or unmatched) is deleted whole when its own state is selected.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, ttlCompleted, ttlDead, stateCount, states[stateCount], ...eventIds\n-- Reply: { runs deleted, events deleted }\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal ttlCompleted = ARGV[2]\nlocal ttlDead = ARGV[3]\nlocal stateCount = ARGV[4]\nlocal states_count = tonumber(stateCount)\nlocal function states_item(i) local b = 5 + i - 1 return ARGV[b] end\nlocal eventIds_count = #ARGV - (5 + states_count) + 1\nlocal function eventIds_item(i) local b = (5 + states_count) + i - 1 return ARGV[b] end\n-- end of generated ARGV\nlocal selected = {}\nfor i = 1, states_count do selected[states_item(i)] = true end\nlocal runs, events = 0, 0\nfor i = 1, eventIds_count do\n  local eventId = eventIds_item(i)\n  local ev = k('ev', eventId)\n  local f = redis.call('HMGET', ev, 'createdAt', 'runs')\n  if f[1] and (f[2] or '') == '' then\n    for state in pairs(selected) do\n      if redis.call('HEXISTS', ev, 'n:' .. state) == 1 then\n        events = events + delete_event(eventId)\n        break\n      end\n    end\n  elseif f[1] then\n    local r, e = delete_runs_of(eventId, function(_, state) return selected[state] end, ttlCompleted, ttlDead)\n    runs, events = runs + r, events + e\n  end\nend\nreturn { runs, events }\n",
  "delete-runs":
    "-- Deletes single runs with their journals and outbox entries (see delete_runs_of in lib.lua).\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, ttlCompleted, ttlDead, ...runIds\n-- Reply: { runs deleted, events deleted with their last run }\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal ttlCompleted = ARGV[2]\nlocal ttlDead = ARGV[3]\nlocal runIds_count = #ARGV - 4 + 1\nlocal function runIds_item(i) local b = 4 + i - 1 return ARGV[b] end\n-- end of generated ARGV\nlocal runs, events = 0, 0\nfor i = 1, runIds_count do\n  local runId = runIds_item(i)\n  local eventId = redis.call('HGET', k('run', runId), 'eventId')\n  if eventId then\n    local r, e = delete_runs_of(eventId, function(id) return id == runId end, ttlCompleted, ttlDead)\n    runs, events = runs + r, events + e\n  end\nend\nreturn { runs, events }\n",
  enqueue:
    "-- Persists a batch of accepted events before anything is published (invariant 1). Safe to repeat:\n-- the client resends a script whose answer was lost, and a repeat must not count an event twice.\n-- The outbox entry makes the reconciler publish the event to the router if our own publish is lost.\n-- An event that may be routed at send is routed here when the router's routing table (lib.lua\n-- routing_table_targets) is there and none of its name's subscribers filters: its runs are created\n-- with their outbox entries in this same call (route_event, as route.lua does it), and the sender\n-- publishes them directly, without the router's hop. A repeat decides as the first call did (the\n-- event records it), whatever the table holds by then.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, count, idempotencyTtlMs, ttlCompleted, events[count]{id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, outboxAt, atSend, chain}\n--   name: lower-cased, for matching; displayName: as sent; data: JSON; delayUntil, idempotencyKey: '' for none\n--   chain: how many events led to this one through workloads' sends ('0' for none; stored only when not)\n--   atSend: '1' to route here if the routing table allows (never for a delayed or internal event), '' for the router\n-- Reply: a list, per event: id, status ('accepted' | 'duplicate'), routed ('1' if routed here, else ''), {runId, url, generation, ...} (the runs to publish)\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal count = ARGV[2]\nlocal idempotencyTtlMs = ARGV[3]\nlocal ttlCompleted = ARGV[4]\nlocal events_count = tonumber(count)\nlocal function events_item(i) local b = 5 + (i - 1) * 11 return ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8], ARGV[b + 9], ARGV[b + 10] end\n-- end of generated ARGV\nlocal out = {}\nfor i = 1, events_count do\n  local id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, outboxAt, atSend, chain = events_item(i)\n  local prior = false\n  if idempotencyKey ~= '' then\n    -- A key is scoped to its event name: `welcome` and `signup` may share one.\n    local idemKey = idempotency_key(name, idempotencyKey)\n    prior = redis.call('GET', idemKey)\n    -- The key naming this very event is a repeat of this call, not a duplicate send; a key naming\n    -- an event that is gone (deleted, or expired) is free again: there is nothing to point to.\n    if prior == id or (prior and redis.call('EXISTS', k('ev', prior)) == 0) then prior = false end\n    if not prior then redis.call('SET', idemKey, id, 'PX', idempotencyTtlMs) end\n  end\n  local runs = {}\n  local routed = ''\n  if prior then\n    out[#out + 1] = prior\n    out[#out + 1] = 'duplicate'\n  else\n    -- An event that exists already is a repeat of this call (the client resends a command whose\n    -- answer was lost): persisted, and routed if it was; route_event then answers its runs again.\n    if redis.call('EXISTS', k('ev', id)) == 0 then\n      local targets = atSend ~= '' and delayUntil == '' and routing_table_targets(name) or nil\n      insert_event(id, name, displayName, data, priority, createdAt, delayUntil, idempotencyKey, chain)\n      if targets then\n        redis.call('HSET', k('ev', id), 'routedAtSend', '1')\n        local function target(j) return targets[j][1], targets[j][2], targets[j][3] end\n        route_event(id, #targets, target, createdAt, outboxAt, ttlCompleted, runs)\n        routed = '1'\n      else\n        redis.call('ZADD', k('outbox'), outboxAt, 'route:' .. id)\n      end\n    elseif redis.call('HGET', k('ev', id), 'routedAtSend') then\n      route_event(id, 0, nil, createdAt, outboxAt, ttlCompleted, runs)\n      routed = '1'\n    end\n    out[#out + 1] = id\n    out[#out + 1] = 'accepted'\n  end\n  out[#out + 1] = routed\n  out[#out + 1] = runs\nend\nreturn out\n",
  "fail-delivery":
    "-- Records a run's delivery that QStash gave up on (the function answered an error, or nothing, to\n-- every try: it is gone, or fails before the engine sees the delivery) as a failed attempt of the run.\n-- Fenced by the generation the delivery was published with: a claim, or an earlier failed copy of\n-- the same delivery, has raised it, and then this changes nothing. It raises the generation itself,\n-- as a claim does, so that each published delivery fails at most one attempt.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, runId, generation, attempt, now, lastError, retryAt, outboxAt, ttlCompleted, ttlDead, failureEventId, failureEventName, failureOutboxAt\n--   attempt: as the caller read it, to pick the backoff; lastError: the error record (JSON)\n--   failureEventId, failureEventName, failureOutboxAt: the run-failed event a dead-lettered run emits (lib.lua record_run_failed)\n-- Reply: {'delayed', generation, url, attempt} (publish the retry), {'dead-lettered', failureEventId}\n--   (failureEventId: '' when none was emitted; else publish it to the router) or {'stale'}\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal runId = ARGV[2]\nlocal generation = ARGV[3]\nlocal attempt = ARGV[4]\nlocal now = ARGV[5]\nlocal lastError = ARGV[6]\nlocal retryAt = ARGV[7]\nlocal outboxAt = ARGV[8]\nlocal ttlCompleted = ARGV[9]\nlocal ttlDead = ARGV[10]\nlocal failureEventId = ARGV[11]\nlocal failureEventName = ARGV[12]\nlocal failureOutboxAt = ARGV[13]\n-- end of generated ARGV\nlocal nowMs = tonumber(now)\nlocal run, steps, attempts = run_keys(runId)\nlocal f = redis.call('HMGET', run, 'state', 'generation', 'attempt', 'maxRetries', 'eventId', 'url')\nlocal state = f[1]\nif not state or f[2] ~= generation or f[3] ~= attempt then return { 'stale' } end\n-- Only a run waiting for a delivery: one in `processing` was reached (its lease covers it), an\n-- ended one needs nothing.\nif state ~= 'pending' and state ~= 'delayed' and state ~= 'sleeping' then return { 'stale' } end\nlocal attemptNo, eventId = tonumber(f[3]), f[5]\nlocal newGeneration = redis.call('HINCRBY', run, 'generation', 1)\nlocal err = cjson.decode(lastError)\nredis.call('HSET', run, 'lastError', lastError)\nif attemptNo >= tonumber(f[4]) + 1 then\n  redis.call('RPUSH', attempts, cjson.encode({ attempt = attemptNo, outcome = 'dead-lettered', endedAt = nowMs, error = err }))\n  terminate(runId, eventId, state, 'dead-lettered', nowMs, ttlDead, ttlCompleted, ttlDead)\n  local emitted = record_run_failed(runId, failureEventId, failureEventName, nowMs, failureOutboxAt)\n  return { 'dead-lettered', emitted and failureEventId or '' }\nend\nlocal retryAtMs = tonumber(retryAt)\nredis.call('RPUSH', attempts,\n  cjson.encode({ attempt = attemptNo, outcome = 'failed', endedAt = nowMs, error = err, nextAt = retryAtMs }))\nredis.call('HSET', run, 'state', 'delayed', 'attempt', attemptNo + 1, 'nextAt', retryAtMs, 'leaseUntil', '')\nredis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)\ntally(eventId, state, 'delayed')\nreturn { 'delayed', tostring(newGeneration), f[6], tostring(attemptNo + 1) }\n",
  finish:
    "-- Records the one outcome of an invocation atomically, fenced by its generation (invariant 2).\n-- Sleeps' journal entries are written here, with the outcome, so a parked run always knows its wake times.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, runId, generation, outcome, now, nextAt, outboxAt, attemptRecord, lastError, nextAttempt, ttlCompleted, ttlDead, failureEventId, failureEventName, ...journal{stepId, record}\n--   outcome: 'completed' | 'skipped' | 'dead-lettered' (terminal) or 'delayed' (retry) | 'sleeping' | 'pending' (continue)\n--   attemptRecord, lastError: JSON or ''; nextAttempt: '' = unchanged; journal: entries to write with the outcome\n--   failureEventId, failureEventName: the run-failed event a dead-lettered run emits (lib.lua record_run_failed)\n--   a run cancelled while this invocation ran ends 'cancelled' unless the outcome is terminal; one whose\n--   waiting step got its event while this invocation ran does not park (reply 3)\n-- Reply: 1 when recorded (or already recorded by a repeat of this call), 2 when the run was closed as\n--   cancelled instead (publish nothing), 3 when it is pending instead of sleeping (publish it now), 4 when\n--   dead-lettered with its run-failed event recorded (publish that event to the router), 0 when fenced out\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal runId = ARGV[2]\nlocal generation = ARGV[3]\nlocal outcome = ARGV[4]\nlocal now = ARGV[5]\nlocal nextAt = ARGV[6]\nlocal outboxAt = ARGV[7]\nlocal attemptRecord = ARGV[8]\nlocal lastError = ARGV[9]\nlocal nextAttempt = ARGV[10]\nlocal ttlCompleted = ARGV[11]\nlocal ttlDead = ARGV[12]\nlocal failureEventId = ARGV[13]\nlocal failureEventName = ARGV[14]\nlocal journal_count = math.floor((#ARGV - 15 + 1) / 2)\nlocal function journal_item(i) local b = 15 + (i - 1) * 2 return ARGV[b], ARGV[b + 1] end\n-- end of generated ARGV\nlocal run, steps, attempts = run_keys(runId)\nlocal f = redis.call('HMGET', run, 'generation', 'state', 'eventId')\nif f[1] ~= generation then return 0 end\n-- With the generation unchanged, a run already in this outcome is a repeat of this very call (the\n-- client resends a script whose answer was lost): report it recorded.\nif f[2] ~= 'processing' then\n  if f[2] == 'cancelled' then return 2 end\n  if f[2] == 'pending' and outcome == 'sleeping' then return 3 end\n  return f[2] == outcome and 1 or 0\nend\nlocal eventId = f[3]\nif attemptRecord ~= '' then redis.call('RPUSH', attempts, attemptRecord) end\nif lastError ~= '' then redis.call('HSET', run, 'lastError', lastError) end\nif nextAttempt ~= '' then redis.call('HSET', run, 'attempt', nextAttempt) end\nfor i = 1, journal_count do\n  local stepId, record = journal_item(i)\n  redis.call('HSET', steps, stepId, record)\nend\nlocal cancellation = redis.call('HGET', run, 'cancellation')\nif cancellation and outcome ~= 'completed' and outcome ~= 'dead-lettered' then\n  cancel_run(runId, eventId, 'processing', cancellation, now, ttlCompleted, ttlDead)\n  return 2\nend\nif outcome == 'completed' or outcome == 'skipped' then\n  terminate(runId, eventId, 'processing', outcome, now, ttlCompleted, ttlCompleted, ttlDead)\nelseif outcome == 'dead-lettered' then\n  terminate(runId, eventId, 'processing', outcome, now, ttlDead, ttlCompleted, ttlDead)\n  if record_run_failed(runId, failureEventId, failureEventName, now, outboxAt) then return 4 end\nelse\n  -- An event reached a step waiting in this invocation (deliver_waits in lib.lua): do not park, go on now.\n  local woken = outcome == 'sleeping' and redis.call('HGET', run, 'woken')\n  if woken then\n    outboxAt = tonumber(outboxAt) - tonumber(nextAt) + tonumber(now)\n    outcome, nextAt = 'pending', now\n  end\n  redis.call('HSET', run, 'state', outcome, 'nextAt', nextAt, 'leaseUntil', '')\n  redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)\n  tally(eventId, 'processing', outcome)\n  if woken then return 3 end\nend\nreturn 1\n",
  page: "-- Selects a page of event ids, newest first, without reading the events: from every event, one\n-- name's, one state's, or one state's of one name (see tally in lib.lua). Entries whose event has\n-- expired (retention) are removed from the index on the way, so a page is not cut short by them; at\n-- most scanLimit entries are looked at per call (a script holds Upstash's lock while it runs), so\n-- a stretch of expired entries can answer a short page with a position to go on from.\n-- A position is (score, skip): the creation time reached, and how many entries with exactly that\n-- score were already passed (events created in the same millisecond share a score).\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, state, name, score, skip, limit, scanLimit\n--   state: '' = any; name: lower-cased, '' = any; score: '+inf' = from the newest\n-- Reply: { more (0|1), score, skip, id... }: more = 1 when the index may hold further entries\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal state = ARGV[2]\nlocal name = ARGV[3]\nlocal score = ARGV[4]\nlocal skip = ARGV[5]\nlocal limit = ARGV[6]\nlocal scanLimit = ARGV[7]\n-- end of generated ARGV\nskip = tonumber(skip)\nlimit, scanLimit = tonumber(limit), tonumber(scanLimit)\n\nlocal index\nif state ~= '' and name ~= '' then\n  index = name_state_index(state, name)\nelseif state ~= '' then\n  index = k('idx', 'state', state)\nelseif name ~= '' then\n  index = k('idx', 'name', name)\nelse\n  index = k('idx', 'all')\nend\n\nlocal ids, scanned = {}, 0\nwhile scanned < scanLimit do\n  -- One more than needed, so that a page that ends the index says so.\n  local count = math.min(limit - #ids + 1, scanLimit - scanned)\n  local entries = redis.call('ZRANGE', index, score, '-inf', 'BYSCORE', 'REV', 'LIMIT', skip, count, 'WITHSCORES')\n  for i = 1, #entries, 2 do\n    if #ids == limit then return { 1, score, skip, unpack(ids) } end\n    local id, s = entries[i], entries[i + 1]\n    scanned = scanned + 1\n    if s == score then skip = skip + 1 else score, skip = s, 1 end\n    if redis.call('EXISTS', k('ev', id)) == 1 then\n      ids[#ids + 1] = id\n    else\n      redis.call('ZREM', index, id)\n      -- The entry is gone, so the entries after it moved up by one.\n      skip = skip - 1\n    end\n  end\n  if #entries < count * 2 then return { 0, score, skip, unpack(ids) } end\nend\nreturn { 1, score, skip, unpack(ids) }\n",
  "rate-limit":
    "-- Decides whether a run may start under a rateLimit (engine/rate-limit.ts): a sliding window log.\n-- The key's window is a sorted set of the runs admitted in the last `period`, scored by when; a run\n-- is admitted while it holds fewer than `limit`, so no window of one period, wherever it falls, holds\n-- more than `limit` starts (a fixed window lets 2 x limit through across a boundary). The cost is\n-- one member per admitted run, at most `limit` per key, and the set expires a period after its last\n-- admission. A run is decided once: an admitted run (marked on its hash) is admitted again when it\n-- comes back to start (after a debounce or a throttle wait), without counting twice.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, rateKey, runId, now, periodMs, limit\n-- Reply: 1 when the run may start, 0 when the limit is reached (the run is skipped)\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal rateKey = ARGV[2]\nlocal runId = ARGV[3]\nlocal now = ARGV[4]\nlocal periodMs = ARGV[5]\nlocal limit = ARGV[6]\n-- end of generated ARGV\nnow = tonumber(now)\nperiodMs = tonumber(periodMs)\nlocal run = k('run', runId)\nif redis.call('HEXISTS', run, 'rateAdmittedAt') == 1 then return 1 end\nlocal window = k('ratelimit', rateKey)\nredis.call('ZREMRANGEBYSCORE', window, '-inf', now - periodMs)\nif redis.call('ZCARD', window) >= tonumber(limit) then return 0 end\nredis.call('ZADD', window, now, runId)\nredis.call('PEXPIRE', window, periodMs)\nredis.call('HSET', run, 'rateAdmittedAt', now)\nreturn 1\n",
  reconcile:
    "-- Hands the reconciler the outbox entries that are due: accepted work that should be in flight\n-- but may not be (a failed publish, a lost message, an expired lease). Each entry handed out is\n-- pushed forward by the grace period, so concurrent or repeated reconciles do not republish it at once.\n-- A run parked in the concurrency queue while a limit of it is full is not handed out (its entry is\n-- pushed forward all the same): the run that gives a slot back publishes it (slots-release.lua).\n-- One whose slots are all free (a holder's lease expired, nobody handed over) or that was handed\n-- its slots and left the queue (the hand-over's publish was lost) is handed out, as before.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, now, limit, nextOutboxAt\n-- Reply: a flat list: kind ('route' | 'run'), id, target (the event name for a route, the workload URL\n--   for a run), generation (a run's, which its delivery carries; '' for a route)\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal now = ARGV[2]\nlocal limit = ARGV[3]\nlocal nextOutboxAt = ARGV[4]\n-- end of generated ARGV\n\n-- Whether a pending run waits in the queue of every limit it is under, and one of them is full.\nlocal function parked(id)\n  local spec = redis.call('HGET', k('slots-waiting'), id)\n  if not spec then return false end\n  local limits = cjson.decode(spec)\n  local full = false\n  for i = 1, #limits, 2 do\n    if not redis.call('ZSCORE', k('slots', limits[i], 'wait'), id) then return false end\n    local holders = k('slots', limits[i])\n    redis.call('ZREMRANGEBYSCORE', holders, '-inf', '(' .. now)\n    if redis.call('ZCARD', holders) >= tonumber(limits[i + 1]) then full = true end\n  end\n  return full\nend\n\nlocal due = redis.call('ZRANGEBYSCORE', k('outbox'), '-inf', tonumber(now), 'LIMIT', 0, tonumber(limit))\nlocal out = {}\nfor _, member in ipairs(due) do\n  local kind, id = string.match(member, '^(%a+):(.+)$')\n  if kind == 'route' then\n    local f = redis.call('HMGET', k('ev', id), 'createdAt', 'routedAt', 'displayName')\n    if f[1] and not f[2] then\n      redis.call('ZADD', k('outbox'), nextOutboxAt, member)\n      out[#out + 1] = 'route'; out[#out + 1] = id; out[#out + 1] = f[3]; out[#out + 1] = ''\n    else\n      redis.call('ZREM', k('outbox'), member)\n    end\n  else\n    local f = redis.call('HMGET', k('run', id), 'state', 'url', 'generation')\n    if not f[1] or is_final(f[1]) then\n      redis.call('ZREM', k('outbox'), member)\n    else\n      redis.call('ZADD', k('outbox'), nextOutboxAt, member)\n      if not (f[1] == 'pending' and parked(id)) then\n        out[#out + 1] = 'run'; out[#out + 1] = id; out[#out + 1] = f[2]; out[#out + 1] = f[3]\n      end\n    end\n  end\nend\nreturn out\n",
  rerun:
    "-- Re-runs an ended run (completed, dead-lettered or cancelled) as a new series of attempts, from the\n-- start or from one step. Steps are ordered as the API shows them, by when they started (a sleep\n-- without a start by its wake time): the steps before the chosen one keep their journal entries (a\n-- replay returns their results), the chosen step and every step that started after it are cleared,\n-- sleeps and waits included, so they run again. The step whose failure ended the run (its lastError's\n-- step, never stored) may be chosen too: every stored step is kept and the run goes on from it. The attempt counter starts again at 1; the history\n-- keeps the old attempts and gains a 'rerun' entry (who asked, when, from which step). The generation\n-- goes up, so that nothing of the old series (a late failure callback, a stale invocation's outcome)\n-- can write into the new one. Nothing changes when the run is missing, still active, or has no such step.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, runId, now, outboxAt, fromStep, by\n--   fromStep: '' to re-run from the start; by: who asked (recorded in the history)\n-- Reply: one of:\n--   {'rerun', url, generation, series, {step ids run again}, {kept step ids}}   (both in step order)\n--   {'missing'}                 no such run\n--   {'active', state}           the run has not ended: state, or 'waiting' for a run parked on step.waitForEvent\n--   {'unknown-step', {step ids}, failed} the run has no step fromStep: its steps, in order, and the\n--                               step that failed last ('' for none)\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal runId = ARGV[2]\nlocal now = ARGV[3]\nlocal outboxAt = ARGV[4]\nlocal fromStep = ARGV[5]\nlocal by = ARGV[6]\n-- end of generated ARGV\nlocal run, steps, attempts = run_keys(runId)\nlocal f = redis.call('HMGET', run, 'state', 'eventId', 'url', 'lastError')\nlocal state = f[1]\nif not state then return { 'missing' } end\n\n-- The journal in step order: { id, order, entry (decoded) }.\nlocal journal = {}\nlocal raw = redis.call('HGETALL', steps)\nfor i = 1, #raw, 2 do\n  local entry = cjson.decode(raw[i + 1])\n  journal[#journal + 1] = { id = raw[i], order = tonumber(entry.startedAt or entry.wakeAt or 0), entry = entry }\nend\ntable.sort(journal, function(a, b)\n  if a.order == b.order then return a.id < b.id end\n  return a.order < b.order\nend)\n\nif not is_final(state) then\n  if state == 'sleeping' then\n    for _, step in ipairs(journal) do\n      if step.entry.status == 'waiting' then return { 'active', 'waiting' } end\n    end\n  end\n  return { 'active', state }\nend\n\n-- The step whose failure ended the run: it has no journal entry, so every stored step comes before it.\nlocal failed = f[4] and cjson.decode(f[4]).step or ''\nlocal cut = nil\nlocal cleared, kept = {}, {}\nif fromStep ~= '' then\n  for _, step in ipairs(journal) do\n    if step.id == fromStep then cut = step.order end\n  end\n  if not cut and fromStep == failed and failed ~= '' then\n    cut = math.huge\n    cleared[1] = failed\n  end\n  if not cut then\n    local ids = {}\n    for _, step in ipairs(journal) do ids[#ids + 1] = step.id end\n    return { 'unknown-step', ids, failed }\n  end\nend\n\nfor _, step in ipairs(journal) do\n  if cut == nil or step.id == fromStep or step.order > cut then\n    cleared[#cleared + 1] = step.id\n    local entry = step.entry\n    -- A wait still registered (its run was cancelled while it waited) stops being a waiter.\n    if entry.status == 'waiting' and entry.waitFor then\n      drop_waiter(entry.waitFor.event, entry.waitFor.match or '', entry.key or '', runId, step.id)\n    end\n    -- A step.sendEvent sends again: the idempotency key it derived from the run (runId:...) is freed.\n    local result = entry.result\n    if type(result) == 'table' and type(result.eventId) == 'string' then\n      local sent = redis.call('HMGET', k('ev', result.eventId), 'name', 'idempotencyKey')\n      if sent[1] and sent[2] and string.sub(sent[2], 1, #runId + 1) == runId .. ':' then\n        local key = idempotency_key(sent[1], sent[2])\n        if redis.call('GET', key) == result.eventId then redis.call('DEL', key) end\n      end\n    end\n    redis.call('HDEL', steps, step.id)\n  else\n    kept[#kept + 1] = step.id\n  end\nend\n\nredis.call('PERSIST', run)\nredis.call('PERSIST', steps)\nredis.call('PERSIST', attempts)\nredis.call('PERSIST', k('ev', f[2]))\nredis.call('HSET', run, 'state', 'pending', 'attempt', 1, 'finishedAt', '', 'nextAt', '', 'leaseUntil', '')\n-- A new series: the cancellation and the last error belong to the old one (the history keeps both).\nredis.call('HDEL', run, 'cancellation', 'lastError', 'woken')\nlocal series = redis.call('HINCRBY', run, 'reruns', 1)\nlocal generation = redis.call('HINCRBY', run, 'generation', 1)\nlocal record = { outcome = 'rerun', endedAt = tonumber(now), by = by, series = series }\nif fromStep ~= '' then record.fromStep = fromStep end\n-- cjson writes an empty table as {}: only a list with entries is recorded.\nif #cleared > 0 then record.runAgain = cleared end\nredis.call('RPUSH', attempts, cjson.encode(record))\nredis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)\ntally(f[2], state, 'pending')\nreturn { 'rerun', f[3], tostring(generation), tostring(series), cleared, kept }\n",
  retry:
    "-- Gives dead-lettered runs a fresh set of attempts, keeping their completed steps.\n-- The generation goes up, so that a failed delivery from before the retry cannot fail its new attempts.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, now, outboxAt, ...runIds\n-- Reply: a flat list: runId, url, generation for each run that was dead-lettered and is now pending\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal now = ARGV[2]\nlocal outboxAt = ARGV[3]\nlocal runIds_count = #ARGV - 4 + 1\nlocal function runIds_item(i) local b = 4 + i - 1 return ARGV[b] end\n-- end of generated ARGV\nlocal out = {}\nfor i = 1, runIds_count do\n  local runId = runIds_item(i)\n  local run, steps, attempts = run_keys(runId)\n  local f = redis.call('HMGET', run, 'state', 'eventId', 'url')\n  if f[1] == 'dead-lettered' then\n    redis.call('PERSIST', run)\n    redis.call('PERSIST', steps)\n    redis.call('PERSIST', attempts)\n    redis.call('PERSIST', k('ev', f[2]))\n    redis.call('HSET', run, 'state', 'pending', 'attempt', 1, 'finishedAt', '', 'nextAt', '')\n    redis.call('HINCRBY', run, 'manualRetries', 1)\n    local generation = redis.call('HINCRBY', run, 'generation', 1)\n    redis.call('RPUSH', attempts, cjson.encode({ outcome = 'retried', endedAt = tonumber(now) }))\n    redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)\n    tally(f[2], 'dead-lettered', 'pending')\n    out[#out + 1] = runId\n    out[#out + 1] = f[3]\n    out[#out + 1] = tostring(generation)\n  end\nend\nreturn out\n",
  route:
    "-- Creates one run per matching workload for an event, once: a repeated router delivery creates\n-- nothing new and only hands back the runs that have not started, for republishing. The router\n-- also publishes its routing table here (lib.lua write_routing_table), so senders can route at send,\n-- and, once per router instance, its workload manifest (engine/workload-manifest.ts) for the events API.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, eventId, now, outboxAt, ttlCompleted, tableDigest, tableEntries, tableTtlMs, manifest, count, targets[count]{workload, url, maxRetries}\n--   targets: the workloads the event matches\n--   tableDigest: '' to leave the routing table alone; tableEntries: JSON {lower-cased name: field value}\n--   manifest: JSON, or '' to leave the stored one alone\n-- Reply: a flat list: runId, url, generation for each run to publish (a new run, or one a waited-for event woke); false when the event no longer exists\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal eventId = ARGV[2]\nlocal now = ARGV[3]\nlocal outboxAt = ARGV[4]\nlocal ttlCompleted = ARGV[5]\nlocal tableDigest = ARGV[6]\nlocal tableEntries = ARGV[7]\nlocal tableTtlMs = ARGV[8]\nlocal manifest = ARGV[9]\nlocal count = ARGV[10]\nlocal targets_count = tonumber(count)\nlocal function targets_item(i) local b = 11 + (i - 1) * 3 return ARGV[b], ARGV[b + 1], ARGV[b + 2] end\n-- end of generated ARGV\nif tableDigest ~= '' then write_routing_table(tableDigest, tableEntries, tableTtlMs) end\nif manifest ~= '' then redis.call('SET', k('workloads'), manifest) end\nif redis.call('EXISTS', k('ev', eventId)) == 0 then\n  redis.call('ZREM', k('outbox'), 'route:' .. eventId)\n  return false\nend\nlocal function target(i)\n  local workload, url, maxRetries = targets_item(i)\n  return workload, url, maxRetries\nend\nlocal out = {}\nroute_event(eventId, targets_count, target, now, outboxAt, ttlCompleted, out)\nreturn out\n",
  "routing-table":
    "-- Publishes the router's routing table without routing an event (lib.lua write_routing_table, as\n-- route.lua does with every routing), and its workload manifest: a router that has not routed yet,\n-- or a test or bench that wants senders to route at send from their first event.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, tableDigest, tableEntries, tableTtlMs, manifest\n--   tableEntries: JSON {lower-cased name: field value} (keys.ts routingTable); manifest: JSON, or ''\n--   to leave the stored one alone\n-- Reply: 1 if the table was written, 0 if the stored one has the same digest\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal tableDigest = ARGV[2]\nlocal tableEntries = ARGV[3]\nlocal tableTtlMs = ARGV[4]\nlocal manifest = ARGV[5]\n-- end of generated ARGV\nif manifest ~= '' then redis.call('SET', k('workloads'), manifest) end\nreturn write_routing_table(tableDigest, tableEntries, tableTtlMs)\n",
  "slots-acquire":
    "-- Takes a concurrency slot of every limit a run is under, all or none (engine/concurrency.ts).\n-- A limit's holders are a sorted set of run ids scored by when their slot expires (the claim's\n-- lease), so a crashed invocation's slot frees itself. A run already holding (a slot handed to it\n-- by a release, or a repeated claim) keeps it, with the new expiry. A run that cannot take every\n-- slot waits in each limit's waiting set, ordered by `order` (kept from its first wait), and its\n-- limits are kept for the release that hands it the slots.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, runId, now, slotUntil, order, ...limits\n-- Reply: 'acquired', or 'wait'\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal runId = ARGV[2]\nlocal now = ARGV[3]\nlocal slotUntil = ARGV[4]\nlocal order = ARGV[5]\nlocal limits_count = #ARGV - 6 + 1\nlocal function limits_item(i) local b = 6 + i - 1 return ARGV[b] end\n-- end of generated ARGV\nlocal pairs_count = limits_count / 2\nlocal fits = true\nfor i = 1, pairs_count do\n  local holders = k('slots', limits_item(2 * i - 1))\n  redis.call('ZREMRANGEBYSCORE', holders, '-inf', '(' .. now)\n  if not redis.call('ZSCORE', holders, runId) and redis.call('ZCARD', holders) >= tonumber(limits_item(2 * i)) then\n    fits = false\n  end\nend\nif fits then\n  for i = 1, pairs_count do\n    local key = limits_item(2 * i - 1)\n    redis.call('ZADD', k('slots', key), slotUntil, runId)\n    redis.call('ZREM', k('slots', key, 'wait'), runId)\n  end\n  redis.call('HDEL', k('slots-waiting'), runId)\n  return 'acquired'\nend\nlocal limits = {}\nfor i = 1, limits_count do limits[i] = limits_item(i) end\nfor i = 1, pairs_count do\n  redis.call('ZADD', k('slots', limits_item(2 * i - 1), 'wait'), 'NX', order, runId)\nend\nredis.call('HSET', k('slots-waiting'), runId, cjson.encode(limits))\nreturn 'wait'\n",
  "slots-release":
    "-- Gives back a run's concurrency slots (when `release` is 1) and hands every slot now free to the\n-- runs waiting for it, best order first: a waiter gets all of its limits' slots at once or stays\n-- waiting. Each run handed its slots holds them until handoffUntil, long enough for its delivery\n-- to arrive and claim. Also reports the run itself when it holds all its slots without having\n-- been delivered them (a handoff that came while it was still parking: its delivery found it busy).\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, runId, release, now, handoffUntil, ...limits\n-- Reply: a flat list: runId, url, generation for each run to deliver now\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal runId = ARGV[2]\nlocal release = ARGV[3]\nlocal now = ARGV[4]\nlocal handoffUntil = ARGV[5]\nlocal limits_count = #ARGV - 6 + 1\nlocal function limits_item(i) local b = 6 + i - 1 return ARGV[b] end\n-- end of generated ARGV\nlocal CANDIDATES = 50\nlocal out = {}\n\nlocal function deliver(id)\n  local f = redis.call('HMGET', k('run', id), 'url', 'generation', 'state')\n  if f[1] and f[3] == 'pending' then\n    out[#out + 1] = id\n    out[#out + 1] = f[1]\n    out[#out + 1] = f[2]\n  end\nend\n\n-- Whether every slot of `limits` (key, limit, ...) is free for `id`, after expiring stale holders.\nlocal function fits(id, limits)\n  for i = 1, #limits, 2 do\n    local holders = k('slots', limits[i])\n    redis.call('ZREMRANGEBYSCORE', holders, '-inf', '(' .. now)\n    if not redis.call('ZSCORE', holders, id) and redis.call('ZCARD', holders) >= tonumber(limits[i + 1]) then\n      return false\n    end\n  end\n  return true\nend\n\nlocal mine = {}\nfor i = 1, limits_count do mine[i] = limits_item(i) end\nif release == '1' then\n  for i = 1, #mine, 2 do redis.call('ZREM', k('slots', mine[i]), runId) end\nelseif redis.call('HEXISTS', k('slots-waiting'), runId) == 0 then\n  local holds = #mine > 0\n  for i = 1, #mine, 2 do\n    if not redis.call('ZSCORE', k('slots', mine[i]), runId) then holds = false end\n  end\n  if holds then deliver(runId) end\nend\n\nfor i = 1, #mine, 2 do\n  local waiting = k('slots', mine[i], 'wait')\n  for _, id in ipairs(redis.call('ZRANGE', waiting, 0, CANDIDATES - 1)) do\n    local spec = redis.call('HGET', k('slots-waiting'), id)\n    if not spec then\n      redis.call('ZREM', waiting, id)\n    else\n      local limits = cjson.decode(spec)\n      if fits(id, limits) then\n        for j = 1, #limits, 2 do\n          redis.call('ZADD', k('slots', limits[j]), handoffUntil, id)\n          redis.call('ZREM', k('slots', limits[j], 'wait'), id)\n        end\n        redis.call('HDEL', k('slots-waiting'), id)\n        deliver(id)\n      end\n    end\n    if redis.call('ZCARD', k('slots', mine[i])) >= tonumber(mine[i + 1]) then break end\n  end\nend\nreturn out\n",
  stats:
    "-- Counts events per state, overall and per event name, in one round trip (the dashboard's counts).\n-- An event counts once in every state one of its runs is in: the per-state indexes, overall and\n-- per name, hold exactly those events (see tally in lib.lua), so every count is a ZCARD and the\n-- script's work grows with the number of names, not of events.\n-- Events expire after their retention while their index entries stay until something notices;\n-- before counting, the oldest entries of each index (the first to expire, since scores are creation\n-- times) are checked, up to pruneLimit per index, and the expired ones removed, so the counts converge\n-- on the truth as the dashboard refreshes instead of growing forever.\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, pruneLimit, maxNames\n-- Reply: a flat list: a count per state, then per name: name, total, a count per state (STATES order, lib.lua)\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal pruneLimit = ARGV[2]\nlocal maxNames = ARGV[3]\n-- end of generated ARGV\npruneLimit = tonumber(pruneLimit)\nmaxNames = tonumber(maxNames)\n\nlocal function prune(index)\n  local oldest = redis.call('ZRANGE', index, 0, pruneLimit - 1)\n  for _, eventId in ipairs(oldest) do\n    if redis.call('EXISTS', k('ev', eventId)) == 0 then\n      redis.call('ZREM', index, eventId)\n    else\n      -- Entries after the first live one are younger; they have not expired either (near enough).\n      return\n    end\n  end\nend\n\nlocal out = {}\nfor _, s in ipairs(STATES) do\n  local index = k('idx', 'state', s)\n  prune(index)\n  out[#out + 1] = redis.call('ZCARD', index)\nend\n\nlocal names = redis.call('SMEMBERS', k('idx', 'names'))\nlocal counted = 0\nfor _, name in ipairs(names) do\n  if counted >= maxNames then break end\n  local index = k('idx', 'name', name)\n  prune(index)\n  local total = redis.call('ZCARD', index)\n  if total == 0 then\n    redis.call('SREM', k('idx', 'names'), name)\n  else\n    counted = counted + 1\n    -- Names match case-insensitively; show each as its newest event spelled it.\n    local newest = redis.call('ZRANGE', index, -1, -1)[1]\n    out[#out + 1] = (newest and redis.call('HGET', k('ev', newest), 'displayName')) or name\n    out[#out + 1] = total\n    for _, s in ipairs(STATES) do\n      local byState = name_state_index(s, name)\n      prune(byState)\n      out[#out + 1] = redis.call('ZCARD', byState)\n    end\n  end\nend\nreturn out\n",
  "throttle-take":
    "-- Hands out the starts of a throttle (engine/throttle.ts). Starts are slots on a grid `interval` apart\n-- (the period over the limit), so no window of one period holds more than the limit, and each slot\n-- goes to the best run waiting when it is due: the lowest `order` (concurrency.ts waitOrder: priority,\n-- with aging). A run that finds no slot free joins the key's waiting set (scored by its order, kept\n-- from its first wait) and parks. The best waiting runs are called ahead, for the slots of the next\n-- `callAheadMs` (at least one): each is given its slot's time, its run hash is due then, and it is\n-- delivered then (the reply names the runs for the caller to publish), so a publish and a delivery\n-- never make a start late; better runs are called for earlier slots. When a due slot's run (or a run\n-- finding a free slot) comes and a better run waits (come since), the better one takes the slot now\n-- and the called one waits again. \"Better\" means ahead by more than callAheadMs: a priority, not the\n-- jitter of clocks and round trips between runs of one priority. A run being invoked is not called\n-- ahead (it is called once parked, by its 'recheck'); given a due slot, it is not delivered (its\n-- delivery would find it busy) but marked `unsent`, and publishes itself once parked. Runs that ended\n-- (cancelled, deleted) are dropped, and a call more than a minute overdue is forgotten (the reconciler\n-- brings its run back).\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, throttleKey, runId, now, interval, order, callAheadMs, outboxGraceMs, mode\n--   mode: 'take' (the run wants to start) or 'recheck' (the run has parked after 'wait')\n-- Reply: {verdict, at, ...calls{runId, url, generation, at}}\n--   verdict: 'run' (start now), 'park' (this run is called: deliver it at `at`), 'wait' (wait without a\n--   delivery; `at`: when it would start if nothing better came), 'none' (recheck); calls: runs to\n--   deliver at their slot's time\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal throttleKey = ARGV[2]\nlocal runId = ARGV[3]\nlocal now = ARGV[4]\nlocal interval = ARGV[5]\nlocal order = ARGV[6]\nlocal callAheadMs = ARGV[7]\nlocal outboxGraceMs = ARGV[8]\nlocal mode = ARGV[9]\n-- end of generated ARGV\nnow = tonumber(now)\ninterval = tonumber(interval)\ncallAheadMs = tonumber(callAheadMs)\nlocal tatKey = k('throttle', throttleKey)\nlocal waiting = k('throttle', throttleKey, 'wait')\nlocal calledKey = k('throttle', throttleKey, 'called')\nlocal unsent = k('throttle', throttleKey, 'unsent')\n-- The next slot no run is called for.\nlocal tat = tonumber(redis.call('GET', tatKey) or 0)\nlocal calls = {}\n\n-- The best waiting run (skipping called ones, and ones being invoked, when asked), and whether it is\n-- being invoked.\nlocal function best(skipCalled, skipBusy)\n  local i = 0\n  while true do\n    local id = redis.call('ZRANGE', waiting, i, i)[1]\n    if not id then return nil, false end\n    local f = redis.call('HMGET', k('run', id), 'state', 'leaseUntil')\n    if not f[1] or is_final(f[1]) then\n      redis.call('ZREM', waiting, id)\n      redis.call('ZREM', calledKey, id)\n      redis.call('SREM', unsent, id)\n    elseif skipCalled and redis.call('ZSCORE', calledKey, id) then\n      i = i + 1\n    elseif id == runId or f[1] ~= 'processing' then\n      return id, false\n    elseif tonumber(f[2] or 0) > now and not skipBusy then\n      return id, true\n    else\n      -- Being invoked, or its invocation died: passed over until it parks or comes back.\n      i = i + 1\n    end\n  end\nend\n\n-- Makes a run due at `at` (for the claim, which holds an early delivery until then, and for the\n-- reconciler) and names it in the reply, for the caller to deliver.\nlocal function deliver(id, at)\n  local run = k('run', id)\n  redis.call('HSET', run, 'nextAt', at)\n  redis.call('ZADD', k('outbox'), at + tonumber(outboxGraceMs), 'run:' .. id)\n  local f = redis.call('HMGET', run, 'url', 'generation')\n  for _, v in ipairs({ id, f[1] or '', f[2] or '0', tostring(at) }) do calls[#calls + 1] = v end\nend\n\n-- Gives a run the slot at `at`: this run parks with its own delivery, a run being invoked delivers\n-- itself once parked, any other is delivered by the caller.\nlocal function give(id, at, busy)\n  redis.call('ZADD', calledKey, at, id)\n  if id == runId then return end\n  if busy then\n    redis.call('SADD', unsent, id)\n    return\n  end\n  deliver(id, at)\nend\n\n-- Whether a run of order `a` goes before a called run of order `b`: by more than callAheadMs, so runs of\n-- one priority that began waiting within a second of each other (their invocations' clocks and round\n-- trips differ by that much) keep the slots they were called for instead of trading them back and forth.\nlocal function ahead(a, b) return a + callAheadMs < b end\n\n-- Calls a run for a slot, keeping better runs in earlier slots: it takes the earliest slot held by a\n-- worse called run, and each worse one moves a slot later (its delivery comes at its old slot and\n-- parks it until its new one), the last into `at`.\nlocal function assign(id, at, busy)\n  local order = tonumber(redis.call('ZSCORE', waiting, id))\n  local held = redis.call('ZRANGE', calledKey, 0, -1, 'WITHSCORES')\n  local carried = nil\n  for i = 1, #held, 2 do\n    local heldId, heldAt = held[i], tonumber(held[i + 1])\n    local heldOrder = tonumber(redis.call('ZSCORE', waiting, heldId))\n    if heldOrder and ahead(order, heldOrder) then\n      if carried then\n        redis.call('ZADD', calledKey, heldAt, carried)\n      else\n        give(id, heldAt, busy)\n      end\n      carried, order = heldId, heldOrder\n    end\n  end\n  if carried then redis.call('ZADD', calledKey, at, carried) else give(id, at, busy) end\nend\n\n-- Calls the best waiting runs for the slots of the next callAheadMs, and at least the next one. A run\n-- being invoked is left for its recheck once parked: a slot given to it now could come before it can\n-- be delivered, and start late.\nlocal function call_ahead()\n  redis.call('ZREMRANGEBYSCORE', calledKey, '-inf', now - 60000)\n  while redis.call('ZCARD', calledKey) == 0 or tat <= now + callAheadMs do\n    local id = best(true, true)\n    if not id then break end\n    local at = math.max(tat, now)\n    assign(id, at, false)\n    tat = at + interval\n  end\n  redis.call('SET', tatKey, tat, 'PX', math.max(math.ceil(tat - now), 0) + 1000)\n  redis.call('PEXPIRE', waiting, math.max(2 * interval + callAheadMs, 3600000))\nend\n\nlocal function reply(verdict, at)\n  local out = { verdict, tostring(at or '') }\n  for _, v in ipairs(calls) do out[#out + 1] = v end\n  return out\nend\n\nlocal function starts()\n  redis.call('ZREM', waiting, runId)\n  redis.call('ZREM', calledKey, runId)\n  redis.call('SREM', unsent, runId)\n  call_ahead()\n  return reply('run', now)\nend\n\n-- Where this run stands once the slots are handed out: called (park until its slot) or waiting.\nlocal function parks()\n  local mine = tonumber(redis.call('ZSCORE', calledKey, runId))\n  if mine then return reply('park', mine) end\n  local ahead = math.max(redis.call('ZRANK', waiting, runId) - redis.call('ZCARD', calledKey), 0)\n  return reply('wait', math.max(tat, now) + ahead * interval)\nend\n\nif mode == 'recheck' then\n  -- Given a slot while it was parking: it is delivered now, for its slot.\n  if redis.call('SREM', unsent, runId) == 1 then\n    local mine = tonumber(redis.call('ZSCORE', calledKey, runId))\n    if mine then deliver(runId, mine) end\n  end\n  call_ahead()\n  return reply('none')\nend\n\nredis.call('ZADD', waiting, 'NX', order, runId)\nlocal mine = tonumber(redis.call('ZSCORE', calledKey, runId))\nif mine and mine > now then return reply('park', mine) end\nif mine or (tat <= now and redis.call('ZCARD', calledKey) == 0) then\n  -- A slot is due (this run's, or a free one): the best waiting run takes it.\n  local slot = mine or now\n  local id, busy = best(false, false)\n  if id ~= runId then\n    local own = tonumber(redis.call('ZSCORE', waiting, runId))\n    if not ahead(tonumber(redis.call('ZSCORE', waiting, id)), own) then id, busy = runId, false end\n  end\n  if id == runId then\n    if not mine then tat = now + interval end\n    return starts()\n  end\n  local theirs = tonumber(redis.call('ZSCORE', calledKey, id))\n  redis.call('ZREM', calledKey, runId)\n  redis.call('SREM', unsent, id)\n  give(id, slot, busy)\n  if not mine then tat = now + interval end\n  -- This run takes the better run's later slot, if it had one.\n  if theirs and theirs > slot then give(runId, theirs, false) end\nend\ncall_ahead()\nreturn parks()\n",
  wait: "-- step.waitForEvent, fenced by the invocation's generation like a checkpoint. The first time the step\n-- is reached it looks back: an event of that name accepted since the run was created, matching, meeting\n-- the condition, and not already taken by another wait of this run, ends the wait at once. Otherwise the step is journaled as\n-- waiting and registered as a waiter (an event routed later finds it: deliver_waits in lib.lua); both\n-- in one script, so no event falls between the look back and the registration. Reached again at or\n-- after its timeout, a step still waiting ends with null (and is no longer a waiter).\n-- KEYS: none (lib.lua builds every key from prefix)\n-- ARGV: prefix, runId, generation, stepId, now, eventName, path, value, timeoutAt, expression, condition\n--   eventName: lower-cased; path: '' for any event of the name, else e.g. 'data.orderId'; value: JSON of the triggering event's value there\n--   expression: the `if` as written ('' for none), shown; condition: its tree, bound to the triggering event (JSON, '' for none: lib-condition.lua)\n-- Reply: {'done', record} (the step's journal entry), {'waiting', timeoutAt} or {'fenced'}\n-- ARGV, bound by name (generated from the header: npm run generate:lua)\nlocal runId = ARGV[2]\nlocal generation = ARGV[3]\nlocal stepId = ARGV[4]\nlocal now = ARGV[5]\nlocal eventName = ARGV[6]\nlocal path = ARGV[7]\nlocal value = ARGV[8]\nlocal timeoutAt = ARGV[9]\nlocal expression = ARGV[10]\nlocal condition = ARGV[11]\n-- end of generated ARGV\nlocal run, steps = run_keys(runId)\nlocal f = redis.call('HMGET', run, 'generation', 'state', 'createdAt', 'eventId')\nif f[1] ~= generation or f[2] ~= 'processing' then return { 'fenced' } end\nlocal key = path == '' and '' or cjson.encode(cjson.decode(value))\nlocal existing = redis.call('HGET', steps, stepId)\nif existing then\n  local w = cjson.decode(existing)\n  if w.status ~= 'waiting' then return { 'done', existing } end\n  if tonumber(now) < tonumber(w.timeoutAt) then return { 'waiting', tostring(w.timeoutAt) } end\n  drop_waiter(w.waitFor.event, w.waitFor.match or '', w.key or '', runId, stepId)\n  local record = waited_record(w, 'null', now, nil)\n  redis.call('HSET', steps, stepId, record)\n  return { 'done', record }\nend\n-- key: the waiter's set (wait_key), for dropping it at the timeout; condition: kept as its JSON text\n-- (cjson would round its numbers to 14 digits), read by resolve_wait.\nlocal w = { status = 'waiting', startedAt = tonumber(now), timeoutAt = tonumber(timeoutAt), waitFor = { event = eventName }, key = key }\nif path ~= '' then\n  w.waitFor.match = path\n  w.waitFor.value = cjson.decode(value)\nend\nif expression ~= '' then w.waitFor['if'] = expression end\nif condition ~= '' then w.condition = condition end\n-- Events this run's other waits took: each goes to one wait per run.\nlocal taken = {}\nfor _, entry in ipairs(redis.call('HVALS', steps)) do\n  local id = string.match(entry, '^{\"status\":\"completed\",\"eventId\":\"([^\"]+)\"')\n  if id then taken[id] = true end\nend\nfor _, id in ipairs(redis.call('ZRANGEBYSCORE', k('idx', 'name', eventName), f[3], '+inf')) do\n  if id ~= f[4] and not taken[id] then\n    local e = redis.call('HMGET', k('ev', id), 'data', 'createdAt', 'displayName')\n    if e[1] then\n      local event = { eventId = id, name = e[3], data = cjson.decode(e[1]) }\n      local found = path == ''\n      if not found then\n        local v = value_at(event, path)\n        found = v ~= nil and cjson.encode(v) == key\n      end\n      found = found and condition_holds(condition, event)\n      if found then\n        local record = waited_record(w, waited_event(id, e[3], e[1], e[2]), now, id)\n        redis.call('HSET', steps, stepId, record)\n        return { 'done', record }\n      end\n    end\n  end\nend\nredis.call('HSET', steps, stepId, cjson.encode(w))\nadd_waiter(eventName, path, key, runId, stepId, now, timeoutAt)\nreturn { 'waiting', timeoutAt }\n",
};

/** Each script's ARGV, in order, as its header states it. */
export const SCRIPT_ARGV: { readonly [N in ScriptName]: readonly ArgSpec[] } = {
  cancel: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "cancellation" },
    { kind: "scalar", name: "ttlCompleted" },
    { kind: "scalar", name: "ttlDead" },
    { kind: "list", name: "runIds" },
  ],
  checkpoint: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "generation" },
    { kind: "scalar", name: "stepId" },
    { kind: "scalar", name: "record" },
  ],
  claim: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "leaseUntil" },
    { kind: "scalar", name: "outboxAt" },
    { kind: "scalar", name: "earlyToleranceMs" },
    { kind: "scalar", name: "ttlCompleted" },
    { kind: "scalar", name: "ttlDead" },
    { kind: "scalar", name: "claimToken" },
    { kind: "scalar", name: "failureEventId" },
    { kind: "scalar", name: "failureEventName" },
    { kind: "scalar", name: "failureOutboxAt" },
  ],
  "debounce-take": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "debounceKey" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "eventAt" },
    { kind: "scalar", name: "periodMs" },
    { kind: "scalar", name: "maxWaitMs" },
  ],
  delete: [
    { kind: "scalar", name: "prefix" },
    { kind: "list", name: "eventIds" },
  ],
  "delete-in-states": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "ttlCompleted" },
    { kind: "scalar", name: "ttlDead" },
    { kind: "scalar", name: "stateCount" },
    { kind: "list", name: "states", count: "stateCount" },
    { kind: "list", name: "eventIds" },
  ],
  "delete-runs": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "ttlCompleted" },
    { kind: "scalar", name: "ttlDead" },
    { kind: "list", name: "runIds" },
  ],
  enqueue: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "count" },
    { kind: "scalar", name: "idempotencyTtlMs" },
    { kind: "scalar", name: "ttlCompleted" },
    {
      kind: "list",
      name: "events",
      count: "count",
      fields: [
        "id",
        "name",
        "displayName",
        "data",
        "priority",
        "createdAt",
        "delayUntil",
        "idempotencyKey",
        "outboxAt",
        "atSend",
        "chain",
      ],
    },
  ],
  "fail-delivery": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "generation" },
    { kind: "scalar", name: "attempt" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "lastError" },
    { kind: "scalar", name: "retryAt" },
    { kind: "scalar", name: "outboxAt" },
    { kind: "scalar", name: "ttlCompleted" },
    { kind: "scalar", name: "ttlDead" },
    { kind: "scalar", name: "failureEventId" },
    { kind: "scalar", name: "failureEventName" },
    { kind: "scalar", name: "failureOutboxAt" },
  ],
  finish: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "generation" },
    { kind: "scalar", name: "outcome" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "nextAt" },
    { kind: "scalar", name: "outboxAt" },
    { kind: "scalar", name: "attemptRecord" },
    { kind: "scalar", name: "lastError" },
    { kind: "scalar", name: "nextAttempt" },
    { kind: "scalar", name: "ttlCompleted" },
    { kind: "scalar", name: "ttlDead" },
    { kind: "scalar", name: "failureEventId" },
    { kind: "scalar", name: "failureEventName" },
    { kind: "list", name: "journal", fields: ["stepId", "record"] },
  ],
  page: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "state" },
    { kind: "scalar", name: "name" },
    { kind: "scalar", name: "score" },
    { kind: "scalar", name: "skip" },
    { kind: "scalar", name: "limit" },
    { kind: "scalar", name: "scanLimit" },
  ],
  "rate-limit": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "rateKey" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "periodMs" },
    { kind: "scalar", name: "limit" },
  ],
  reconcile: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "limit" },
    { kind: "scalar", name: "nextOutboxAt" },
  ],
  rerun: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "outboxAt" },
    { kind: "scalar", name: "fromStep" },
    { kind: "scalar", name: "by" },
  ],
  retry: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "outboxAt" },
    { kind: "list", name: "runIds" },
  ],
  route: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "eventId" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "outboxAt" },
    { kind: "scalar", name: "ttlCompleted" },
    { kind: "scalar", name: "tableDigest" },
    { kind: "scalar", name: "tableEntries" },
    { kind: "scalar", name: "tableTtlMs" },
    { kind: "scalar", name: "manifest" },
    { kind: "scalar", name: "count" },
    { kind: "list", name: "targets", count: "count", fields: ["workload", "url", "maxRetries"] },
  ],
  "routing-table": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "tableDigest" },
    { kind: "scalar", name: "tableEntries" },
    { kind: "scalar", name: "tableTtlMs" },
    { kind: "scalar", name: "manifest" },
  ],
  "slots-acquire": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "slotUntil" },
    { kind: "scalar", name: "order" },
    { kind: "list", name: "limits" },
  ],
  "slots-release": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "release" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "handoffUntil" },
    { kind: "list", name: "limits" },
  ],
  stats: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "pruneLimit" },
    { kind: "scalar", name: "maxNames" },
  ],
  "throttle-take": [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "throttleKey" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "interval" },
    { kind: "scalar", name: "order" },
    { kind: "scalar", name: "callAheadMs" },
    { kind: "scalar", name: "outboxGraceMs" },
    { kind: "scalar", name: "mode" },
  ],
  wait: [
    { kind: "scalar", name: "prefix" },
    { kind: "scalar", name: "runId" },
    { kind: "scalar", name: "generation" },
    { kind: "scalar", name: "stepId" },
    { kind: "scalar", name: "now" },
    { kind: "scalar", name: "eventName" },
    { kind: "scalar", name: "path" },
    { kind: "scalar", name: "value" },
    { kind: "scalar", name: "timeoutAt" },
    { kind: "scalar", name: "expression" },
    { kind: "scalar", name: "condition" },
  ],
};

/** The arguments object of each script, by the names of its header (counts are filled in from lists). */
export interface ScriptArgv {
  cancel: {
    prefix: string;
    now: ScriptArg;
    cancellation: ScriptArg;
    ttlCompleted: ScriptArg;
    ttlDead: ScriptArg;
    runIds: readonly ScriptArg[];
  };
  checkpoint: {
    prefix: string;
    runId: ScriptArg;
    generation: ScriptArg;
    stepId: ScriptArg;
    record: ScriptArg;
  };
  claim: {
    prefix: string;
    runId: ScriptArg;
    now: ScriptArg;
    leaseUntil: ScriptArg;
    outboxAt: ScriptArg;
    earlyToleranceMs: ScriptArg;
    ttlCompleted: ScriptArg;
    ttlDead: ScriptArg;
    claimToken: ScriptArg;
    failureEventId: ScriptArg;
    failureEventName: ScriptArg;
    failureOutboxAt: ScriptArg;
  };
  "debounce-take": {
    prefix: string;
    debounceKey: ScriptArg;
    runId: ScriptArg;
    now: ScriptArg;
    eventAt: ScriptArg;
    periodMs: ScriptArg;
    maxWaitMs: ScriptArg;
  };
  delete: { prefix: string; eventIds: readonly ScriptArg[] };
  "delete-in-states": {
    prefix: string;
    ttlCompleted: ScriptArg;
    ttlDead: ScriptArg;
    states: readonly ScriptArg[];
    eventIds: readonly ScriptArg[];
  };
  "delete-runs": {
    prefix: string;
    ttlCompleted: ScriptArg;
    ttlDead: ScriptArg;
    runIds: readonly ScriptArg[];
  };
  enqueue: {
    prefix: string;
    idempotencyTtlMs: ScriptArg;
    ttlCompleted: ScriptArg;
    events: readonly {
      id: ScriptArg;
      name: ScriptArg;
      displayName: ScriptArg;
      data: ScriptArg;
      priority: ScriptArg;
      createdAt: ScriptArg;
      delayUntil: ScriptArg;
      idempotencyKey: ScriptArg;
      outboxAt: ScriptArg;
      atSend: ScriptArg;
      chain: ScriptArg;
    }[];
  };
  "fail-delivery": {
    prefix: string;
    runId: ScriptArg;
    generation: ScriptArg;
    attempt: ScriptArg;
    now: ScriptArg;
    lastError: ScriptArg;
    retryAt: ScriptArg;
    outboxAt: ScriptArg;
    ttlCompleted: ScriptArg;
    ttlDead: ScriptArg;
    failureEventId: ScriptArg;
    failureEventName: ScriptArg;
    failureOutboxAt: ScriptArg;
  };
  finish: {
    prefix: string;
    runId: ScriptArg;
    generation: ScriptArg;
    outcome: ScriptArg;
    now: ScriptArg;
    nextAt: ScriptArg;
    outboxAt: ScriptArg;
    attemptRecord: ScriptArg;
    lastError: ScriptArg;
    nextAttempt: ScriptArg;
    ttlCompleted: ScriptArg;
    ttlDead: ScriptArg;
    failureEventId: ScriptArg;
    failureEventName: ScriptArg;
    journal: readonly { stepId: ScriptArg; record: ScriptArg }[];
  };
  page: {
    prefix: string;
    state: ScriptArg;
    name: ScriptArg;
    score: ScriptArg;
    skip: ScriptArg;
    limit: ScriptArg;
    scanLimit: ScriptArg;
  };
  "rate-limit": {
    prefix: string;
    rateKey: ScriptArg;
    runId: ScriptArg;
    now: ScriptArg;
    periodMs: ScriptArg;
    limit: ScriptArg;
  };
  reconcile: { prefix: string; now: ScriptArg; limit: ScriptArg; nextOutboxAt: ScriptArg };
  rerun: {
    prefix: string;
    runId: ScriptArg;
    now: ScriptArg;
    outboxAt: ScriptArg;
    fromStep: ScriptArg;
    by: ScriptArg;
  };
  retry: { prefix: string; now: ScriptArg; outboxAt: ScriptArg; runIds: readonly ScriptArg[] };
  route: {
    prefix: string;
    eventId: ScriptArg;
    now: ScriptArg;
    outboxAt: ScriptArg;
    ttlCompleted: ScriptArg;
    tableDigest: ScriptArg;
    tableEntries: ScriptArg;
    tableTtlMs: ScriptArg;
    manifest: ScriptArg;
    targets: readonly { workload: ScriptArg; url: ScriptArg; maxRetries: ScriptArg }[];
  };
  "routing-table": {
    prefix: string;
    tableDigest: ScriptArg;
    tableEntries: ScriptArg;
    tableTtlMs: ScriptArg;
    manifest: ScriptArg;
  };
  "slots-acquire": {
    prefix: string;
    runId: ScriptArg;
    now: ScriptArg;
    slotUntil: ScriptArg;
    order: ScriptArg;
    limits: readonly ScriptArg[];
  };
  "slots-release": {
    prefix: string;
    runId: ScriptArg;
    release: ScriptArg;
    now: ScriptArg;
    handoffUntil: ScriptArg;
    limits: readonly ScriptArg[];
  };
  stats: { prefix: string; pruneLimit: ScriptArg; maxNames: ScriptArg };
  "throttle-take": {
    prefix: string;
    throttleKey: ScriptArg;
    runId: ScriptArg;
    now: ScriptArg;
    interval: ScriptArg;
    order: ScriptArg;
    callAheadMs: ScriptArg;
    outboxGraceMs: ScriptArg;
    mode: ScriptArg;
  };
  wait: {
    prefix: string;
    runId: ScriptArg;
    generation: ScriptArg;
    stepId: ScriptArg;
    now: ScriptArg;
    eventName: ScriptArg;
    path: ScriptArg;
    value: ScriptArg;
    timeoutAt: ScriptArg;
    expression: ScriptArg;
    condition: ScriptArg;
  };
}
