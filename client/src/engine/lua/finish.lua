-- Records the one outcome of an invocation atomically, fenced by its generation (invariant 2).
-- ARGV: prefix, runId, generation, outcome, now, nextAt, outboxAt, attemptRecord (JSON or ''),
--       lastError (JSON or ''), nextAttempt ('' = unchanged), ttlCompleted, ttlDead,
--       then stepId, stepRecord pairs (journal entries to write with the outcome)
-- outcome: 'completed' | 'dead-lettered' (terminal) or 'delayed' (retry) | 'sleeping' | 'pending' (continue).
-- Sleeps' journal entries are written here, with the outcome, so a parked run always knows its wake times.
-- Returns 1 when recorded (or already recorded by a repeat of this call), 0 when fenced out.
local runId, generation, outcome, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local run, steps, attempts = run_keys(runId)
local f = redis.call('HMGET', run, 'generation', 'state', 'eventId')
if f[1] ~= generation then return 0 end
-- With the generation unchanged, a run already in this outcome is a repeat of this very call (the
-- client resends a script whose answer was lost): report it recorded.
if f[2] ~= 'processing' then return f[2] == outcome and 1 or 0 end
local eventId = f[3]
if ARGV[8] ~= '' then redis.call('RPUSH', attempts, ARGV[8]) end
if ARGV[9] ~= '' then redis.call('HSET', run, 'lastError', ARGV[9]) end
if ARGV[10] ~= '' then redis.call('HSET', run, 'attempt', ARGV[10]) end
for i = 13, #ARGV - 1, 2 do redis.call('HSET', steps, ARGV[i], ARGV[i + 1]) end
local ttlCompleted, ttlDead = ARGV[11], ARGV[12]
if outcome == 'completed' then
  terminate(runId, eventId, 'processing', outcome, now, ttlCompleted, ttlCompleted, ttlDead)
elseif outcome == 'dead-lettered' then
  terminate(runId, eventId, 'processing', outcome, now, ttlDead, ttlCompleted, ttlDead)
else
  redis.call('HSET', run, 'state', outcome, 'nextAt', ARGV[6], 'leaseUntil', '')
  redis.call('ZADD', k('outbox'), ARGV[7], 'run:' .. runId)
  tally(eventId, 'processing', outcome)
end
return 1
