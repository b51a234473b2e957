-- Re-runs an ended run (completed, dead-lettered or cancelled) as a new series of attempts, from the
-- start or from one step. Steps are ordered as the API shows them, by when they started (a sleep
-- without a start by its wake time): the steps before the chosen one keep their journal entries (a
-- replay returns their results), the chosen step and every step that started after it are cleared,
-- sleeps and waits included, so they run again. The step whose failure ended the run (its lastError's
-- step, never stored) may be chosen too: every stored step is kept and the run goes on from it. The attempt counter starts again at 1; the history
-- keeps the old attempts and gains a 'rerun' entry (who asked, when, from which step). The generation
-- goes up, so that nothing of the old series (a late failure callback, a stale invocation's outcome)
-- can write into the new one. Nothing changes when the run is missing, still active, or has no such step.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, runId, now, outboxAt, fromStep, by
--   fromStep: '' to re-run from the start; by: who asked (recorded in the history)
-- Reply: one of:
--   {'rerun', url, generation, series, {step ids run again}, {kept step ids}}   (both in step order)
--   {'missing'}                 no such run
--   {'active', state}           the run has not ended: state, or 'waiting' for a run parked on step.waitForEvent
--   {'unknown-step', {step ids}, failed} the run has no step fromStep: its steps, in order, and the
--                               step that failed last ('' for none)
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local runId = ARGV[2]
local now = ARGV[3]
local outboxAt = ARGV[4]
local fromStep = ARGV[5]
local by = ARGV[6]
-- end of generated ARGV
local run, steps, attempts = run_keys(runId)
local f = redis.call('HMGET', run, 'state', 'eventId', 'url', 'lastError')
local state = f[1]
if not state then return { 'missing' } end

-- The journal in step order: { id, order, entry (decoded) }.
local journal = {}
local raw = redis.call('HGETALL', steps)
for i = 1, #raw, 2 do
  local entry = cjson.decode(raw[i + 1])
  journal[#journal + 1] = { id = raw[i], order = tonumber(entry.startedAt or entry.wakeAt or 0), entry = entry }
end
table.sort(journal, function(a, b)
  if a.order == b.order then return a.id < b.id end
  return a.order < b.order
end)

if not is_final(state) then
  if state == 'sleeping' then
    for _, step in ipairs(journal) do
      if step.entry.status == 'waiting' then return { 'active', 'waiting' } end
    end
  end
  return { 'active', state }
end

-- The step whose failure ended the run: it has no journal entry, so every stored step comes before it.
local failed = f[4] and cjson.decode(f[4]).step or ''
local cut = nil
local cleared, kept = {}, {}
if fromStep ~= '' then
  for _, step in ipairs(journal) do
    if step.id == fromStep then cut = step.order end
  end
  if not cut and fromStep == failed and failed ~= '' then
    cut = math.huge
    cleared[1] = failed
  end
  if not cut then
    local ids = {}
    for _, step in ipairs(journal) do ids[#ids + 1] = step.id end
    return { 'unknown-step', ids, failed }
  end
end

for _, step in ipairs(journal) do
  if cut == nil or step.id == fromStep or step.order > cut then
    cleared[#cleared + 1] = step.id
    local entry = step.entry
    -- A wait still registered (its run was cancelled while it waited) stops being a waiter.
    if entry.status == 'waiting' and entry.waitFor then
      drop_waiter(entry.waitFor.event, entry.waitFor.match or '', entry.key or '', runId, step.id)
    end
    -- A step.sendEvent sends again: the idempotency key it derived from the run (runId:...) is freed.
    local result = entry.result
    if type(result) == 'table' and type(result.eventId) == 'string' then
      local sent = redis.call('HMGET', k('ev', result.eventId), 'name', 'idempotencyKey')
      if sent[1] and sent[2] and string.sub(sent[2], 1, #runId + 1) == runId .. ':' then
        local key = idempotency_key(sent[1], sent[2])
        if redis.call('GET', key) == result.eventId then redis.call('DEL', key) end
      end
    end
    redis.call('HDEL', steps, step.id)
  else
    kept[#kept + 1] = step.id
  end
end

redis.call('PERSIST', run)
redis.call('PERSIST', steps)
redis.call('PERSIST', attempts)
redis.call('PERSIST', k('ev', f[2]))
redis.call('HSET', run, 'state', 'pending', 'attempt', 1, 'finishedAt', '', 'nextAt', '', 'leaseUntil', '')
-- A new series: the cancellation and the last error belong to the old one (the history keeps both).
redis.call('HDEL', run, 'cancellation', 'lastError', 'woken')
local series = redis.call('HINCRBY', run, 'reruns', 1)
local generation = redis.call('HINCRBY', run, 'generation', 1)
local record = { outcome = 'rerun', endedAt = tonumber(now), by = by, series = series }
if fromStep ~= '' then record.fromStep = fromStep end
-- cjson writes an empty table as {}: only a list with entries is recorded.
if #cleared > 0 then record.runAgain = cleared end
redis.call('RPUSH', attempts, cjson.encode(record))
redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)
tally(f[2], state, 'pending')
return { 'rerun', f[3], tostring(generation), tostring(series), cleared, kept }
