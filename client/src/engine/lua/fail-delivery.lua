-- Records a run's delivery that QStash gave up on (the function answered an error, or nothing, to
-- every try: it is gone, or fails before the engine sees the delivery) as a failed attempt of the run.
-- Fenced by the generation the delivery was published with: a claim, or an earlier failed copy of
-- the same delivery, has raised it, and then this changes nothing. It raises the generation itself,
-- as a claim does, so that each published delivery fails at most one attempt.
-- ARGV: prefix, runId, generation, attempt (as the caller read it, to pick the backoff), now,
--       error (JSON), retryAt, outboxAt, ttlCompleted, ttlDead
-- Returns {'delayed', generation, url, attempt} (publish the retry), {'dead-lettered'} or {'stale'}.
local runId, now = ARGV[2], tonumber(ARGV[5])
local run, steps, attempts = run_keys(runId)
local f = redis.call('HMGET', run, 'state', 'generation', 'attempt', 'maxRetries', 'eventId', 'url')
local state = f[1]
if not state or f[2] ~= ARGV[3] or f[3] ~= ARGV[4] then return { 'stale' } end
-- Only a run waiting for a delivery: one in `processing` was reached (its lease covers it), an
-- ended one needs nothing.
if state ~= 'pending' and state ~= 'delayed' and state ~= 'sleeping' then return { 'stale' } end
local attempt, eventId = tonumber(f[3]), f[5]
local generation = redis.call('HINCRBY', run, 'generation', 1)
local err = cjson.decode(ARGV[6])
redis.call('HSET', run, 'lastError', ARGV[6])
if attempt >= tonumber(f[4]) + 1 then
  redis.call('RPUSH', attempts, cjson.encode({ attempt = attempt, outcome = 'dead-lettered', endedAt = now, error = err }))
  terminate(runId, eventId, state, 'dead-lettered', now, ARGV[10], ARGV[9], ARGV[10])
  return { 'dead-lettered' }
end
local retryAt = tonumber(ARGV[7])
redis.call('RPUSH', attempts,
  cjson.encode({ attempt = attempt, outcome = 'failed', endedAt = now, error = err, nextAt = retryAt }))
redis.call('HSET', run, 'state', 'delayed', 'attempt', attempt + 1, 'nextAt', retryAt, 'leaseUntil', '')
redis.call('ZADD', k('outbox'), ARGV[8], 'run:' .. runId)
tally(eventId, state, 'delayed')
return { 'delayed', tostring(generation), f[6], tostring(attempt + 1) }
