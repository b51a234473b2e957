-- Records a run's delivery that QStash gave up on (the function answered an error, or nothing, to
-- every try: it is gone, or fails before the engine sees the delivery) as a failed attempt of the run.
-- Fenced by the generation the delivery was published with: a claim, or an earlier failed copy of
-- the same delivery, has raised it, and then this changes nothing. It raises the generation itself,
-- as a claim does, so that each published delivery fails at most one attempt.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, runId, generation, attempt, now, lastError, retryAt, outboxAt, ttlCompleted, ttlDead, failureEventId, failureEventName, failureOutboxAt
--   attempt: as the caller read it, to pick the backoff; lastError: the error record (JSON)
--   failureEventId, failureEventName, failureOutboxAt: the run-failed event a dead-lettered run emits (lib.lua record_run_failed)
-- Reply: {'delayed', generation, url, attempt} (publish the retry), {'dead-lettered', failureEventId}
--   (failureEventId: '' when none was emitted; else publish it to the router) or {'stale'}
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local runId = ARGV[2]
local generation = ARGV[3]
local attempt = ARGV[4]
local now = ARGV[5]
local lastError = ARGV[6]
local retryAt = ARGV[7]
local outboxAt = ARGV[8]
local ttlCompleted = ARGV[9]
local ttlDead = ARGV[10]
local failureEventId = ARGV[11]
local failureEventName = ARGV[12]
local failureOutboxAt = ARGV[13]
-- end of generated ARGV
local nowMs = tonumber(now)
local run, steps, attempts = run_keys(runId)
local f = redis.call('HMGET', run, 'state', 'generation', 'attempt', 'maxRetries', 'eventId', 'url')
local state = f[1]
if not state or f[2] ~= generation or f[3] ~= attempt then return { 'stale' } end
-- Only a run waiting for a delivery: one in `processing` was reached (its lease covers it), an
-- ended one needs nothing.
if state ~= 'pending' and state ~= 'delayed' and state ~= 'sleeping' then return { 'stale' } end
local attemptNo, eventId = tonumber(f[3]), f[5]
local newGeneration = redis.call('HINCRBY', run, 'generation', 1)
local err = cjson.decode(lastError)
redis.call('HSET', run, 'lastError', lastError)
if attemptNo >= tonumber(f[4]) + 1 then
  redis.call('RPUSH', attempts, cjson.encode({ attempt = attemptNo, outcome = 'dead-lettered', endedAt = nowMs, error = err }))
  terminate(runId, eventId, state, 'dead-lettered', nowMs, ttlDead, ttlCompleted, ttlDead)
  local emitted = record_run_failed(runId, failureEventId, failureEventName, nowMs, failureOutboxAt)
  return { 'dead-lettered', emitted and failureEventId or '' }
end
local retryAtMs = tonumber(retryAt)
redis.call('RPUSH', attempts,
  cjson.encode({ attempt = attemptNo, outcome = 'failed', endedAt = nowMs, error = err, nextAt = retryAtMs }))
redis.call('HSET', run, 'state', 'delayed', 'attempt', attemptNo + 1, 'nextAt', retryAtMs, 'leaseUntil', '')
redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)
tally(eventId, state, 'delayed')
return { 'delayed', tostring(newGeneration), f[6], tostring(attemptNo + 1) }
