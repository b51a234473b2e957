-- Records the one outcome of an invocation atomically, fenced by its generation (invariant 2).
-- Sleeps' journal entries are written here, with the outcome, so a parked run always knows its wake times.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, runId, generation, outcome, now, nextAt, outboxAt, attemptRecord, lastError, nextAttempt, ttlCompleted, ttlDead, failureEventId, failureEventName, ...journal{stepId, record}
--   outcome: 'completed' | 'skipped' | 'dead-lettered' (terminal) or 'delayed' (retry) | 'sleeping' | 'pending' (continue)
--   attemptRecord, lastError: JSON or ''; nextAttempt: '' = unchanged; journal: entries to write with the outcome
--   failureEventId, failureEventName: the run-failed event a dead-lettered run emits (lib.lua record_run_failed)
--   a run cancelled while this invocation ran ends 'cancelled' unless the outcome is terminal; one whose
--   waiting step got its event while this invocation ran does not park (reply 3)
-- Reply: 1 when recorded (or already recorded by a repeat of this call), 2 when the run was closed as
--   cancelled instead (publish nothing), 3 when it is pending instead of sleeping (publish it now), 4 when
--   dead-lettered with its run-failed event recorded (publish that event to the router), 0 when fenced out
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local runId = ARGV[2]
local generation = ARGV[3]
local outcome = ARGV[4]
local now = ARGV[5]
local nextAt = ARGV[6]
local outboxAt = ARGV[7]
local attemptRecord = ARGV[8]
local lastError = ARGV[9]
local nextAttempt = ARGV[10]
local ttlCompleted = ARGV[11]
local ttlDead = ARGV[12]
local failureEventId = ARGV[13]
local failureEventName = ARGV[14]
local journal_count = math.floor((#ARGV - 15 + 1) / 2)
local function journal_item(i) local b = 15 + (i - 1) * 2 return ARGV[b], ARGV[b + 1] end
-- end of generated ARGV
local run, steps, attempts = run_keys(runId)
local f = redis.call('HMGET', run, 'generation', 'state', 'eventId')
if f[1] ~= generation then return 0 end
-- With the generation unchanged, a run already in this outcome is a repeat of this very call (the
-- client resends a script whose answer was lost): report it recorded.
if f[2] ~= 'processing' then
  if f[2] == 'cancelled' then return 2 end
  if f[2] == 'pending' and outcome == 'sleeping' then return 3 end
  return f[2] == outcome and 1 or 0
end
local eventId = f[3]
if attemptRecord ~= '' then redis.call('RPUSH', attempts, attemptRecord) end
if lastError ~= '' then redis.call('HSET', run, 'lastError', lastError) end
if nextAttempt ~= '' then redis.call('HSET', run, 'attempt', nextAttempt) end
for i = 1, journal_count do
  local stepId, record = journal_item(i)
  redis.call('HSET', steps, stepId, record)
end
local cancellation = redis.call('HGET', run, 'cancellation')
if cancellation and outcome ~= 'completed' and outcome ~= 'dead-lettered' then
  cancel_run(runId, eventId, 'processing', cancellation, now, ttlCompleted, ttlDead)
  return 2
end
if outcome == 'completed' or outcome == 'skipped' then
  terminate(runId, eventId, 'processing', outcome, now, ttlCompleted, ttlCompleted, ttlDead)
elseif outcome == 'dead-lettered' then
  terminate(runId, eventId, 'processing', outcome, now, ttlDead, ttlCompleted, ttlDead)
  if record_run_failed(runId, failureEventId, failureEventName, now, outboxAt) then return 4 end
else
  -- An event reached a step waiting in this invocation (deliver_waits in lib.lua): do not park, go on now.
  local woken = outcome == 'sleeping' and redis.call('HGET', run, 'woken')
  if woken then
    outboxAt = tonumber(outboxAt) - tonumber(nextAt) + tonumber(now)
    outcome, nextAt = 'pending', now
  end
  redis.call('HSET', run, 'state', outcome, 'nextAt', nextAt, 'leaseUntil', '')
  redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)
  tally(eventId, 'processing', outcome)
  if woken then return 3 end
end
return 1
