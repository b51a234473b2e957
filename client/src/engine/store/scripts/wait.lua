-- step.waitForEvent, fenced by the invocation's generation like a checkpoint. The first time the step
-- is reached it looks back: an event of that name accepted since the run was created, matching, meeting
-- the condition, and not already taken by another wait of this run, ends the wait at once. Otherwise the step is journaled as
-- waiting and registered as a waiter (an event routed later finds it: deliver_waits in lib.lua); both
-- in one script, so no event falls between the look back and the registration. Reached again at or
-- after its timeout, a step still waiting ends with null (and is no longer a waiter).
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, runId, generation, stepId, now, eventName, path, value, timeoutAt, expression, condition
--   eventName: lower-cased; path: '' for any event of the name, else e.g. 'data.orderId'; value: JSON of the triggering event's value there
--   expression: the `if` as written ('' for none), shown; condition: its tree, bound to the triggering event (JSON, '' for none: lib-condition.lua)
-- Reply: {'done', record} (the step's journal entry), {'waiting', timeoutAt} or {'fenced'}
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local runId = ARGV[2]
local generation = ARGV[3]
local stepId = ARGV[4]
local now = ARGV[5]
local eventName = ARGV[6]
local path = ARGV[7]
local value = ARGV[8]
local timeoutAt = ARGV[9]
local expression = ARGV[10]
local condition = ARGV[11]
-- end of generated ARGV
local run, steps = run_keys(runId)
local f = redis.call('HMGET', run, 'generation', 'state', 'createdAt', 'eventId')
if f[1] ~= generation or f[2] ~= 'processing' then return { 'fenced' } end
local key = path == '' and '' or cjson.encode(cjson.decode(value))
local existing = redis.call('HGET', steps, stepId)
if existing then
  local w = cjson.decode(existing)
  if w.status ~= 'waiting' then return { 'done', existing } end
  if tonumber(now) < tonumber(w.timeoutAt) then return { 'waiting', tostring(w.timeoutAt) } end
  drop_waiter(w.waitFor.event, w.waitFor.match or '', w.key or '', runId, stepId)
  local record = waited_record(w, 'null', now, nil)
  redis.call('HSET', steps, stepId, record)
  return { 'done', record }
end
-- key: the waiter's set (wait_key), for dropping it at the timeout; condition: kept as its JSON text
-- (cjson would round its numbers to 14 digits), read by resolve_wait.
local w = { status = 'waiting', startedAt = tonumber(now), timeoutAt = tonumber(timeoutAt), waitFor = { event = eventName }, key = key }
if path ~= '' then
  w.waitFor.match = path
  w.waitFor.value = cjson.decode(value)
end
if expression ~= '' then w.waitFor['if'] = expression end
if condition ~= '' then w.condition = condition end
-- Events this run's other waits took: each goes to one wait per run.
local taken = {}
for _, entry in ipairs(redis.call('HVALS', steps)) do
  local id = string.match(entry, '^{"status":"completed","eventId":"([^"]+)"')
  if id then taken[id] = true end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', k('idx', 'name', eventName), f[3], '+inf')) do
  if id ~= f[4] and not taken[id] then
    local e = redis.call('HMGET', k('ev', id), 'data', 'createdAt', 'displayName')
    if e[1] then
      local event = { eventId = id, name = e[3], data = cjson.decode(e[1]) }
      local found = path == ''
      if not found then
        local v = value_at(event, path)
        found = v ~= nil and cjson.encode(v) == key
      end
      found = found and condition_holds(condition, event)
      if found then
        local record = waited_record(w, waited_event(id, e[3], e[1], e[2]), now, id)
        redis.call('HSET', steps, stepId, record)
        return { 'done', record }
      end
    end
  end
end
redis.call('HSET', steps, stepId, cjson.encode(w))
add_waiter(eventName, path, key, runId, stepId, now, timeoutAt)
return { 'waiting', timeoutAt }
