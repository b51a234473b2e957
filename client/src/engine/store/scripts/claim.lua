-- Claims a run for one invocation: a fenced lease (the generation goes up by one, and every later
-- write of this invocation must present it), plus everything the invocation needs to replay, in
-- one round trip: the event, and the journal of completed steps.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, runId, now, leaseUntil, outboxAt, earlyToleranceMs, ttlCompleted, ttlDead, claimToken, failureEventId, failureEventName, failureOutboxAt
--   claimToken is unique per call: a resend of the same call carries it, a concurrent duplicate delivery does not
--   failureEventId, failureEventName, failureOutboxAt: the run-failed event a dead-lettered run emits (lib.lua record_run_failed)
-- Reply: {status, ...}, one of:
--   {'claimed', generation, attempt, eventId, workload, eventName, data, priority, createdAt, {stepId, record, ...}, url, maxRetries, dueAt, chain}
--                       (dueAt: when the run was due; a delivery up to earlyToleranceMs early waits for it;
--                        chain: how many events led to the run's event through workloads' sends)
--   {'busy'}            another invocation holds a live lease (a duplicate delivery)
--   {'early', nextAt}   a stale delivery for a run that is waiting until nextAt
--   {'done', state}     the run already ended
--   {'missing'}         no such run (deleted, or expired)
--   {'dead-lettered', failureEventId}   the previous invocation died and that was the last attempt
--                       (failureEventId: the run-failed event emitted, to publish to the router; '' for none)
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local runId = ARGV[2]
local now = ARGV[3]
local leaseUntil = ARGV[4]
local outboxAt = ARGV[5]
local earlyToleranceMs = ARGV[6]
local ttlCompleted = ARGV[7]
local ttlDead = ARGV[8]
local claimToken = ARGV[9]
local failureEventId = ARGV[10]
local failureEventName = ARGV[11]
local failureOutboxAt = ARGV[12]
-- end of generated ARGV
local nowMs = tonumber(now)
local run, steps, attempts = run_keys(runId)
local fields = redis.call('HMGET', run, 'state', 'leaseUntil', 'nextAt', 'attempt', 'maxRetries', 'eventId', 'workload', 'url')
local state = fields[1]
if not state then return { 'missing' } end
if is_final(state) then return { 'done', state } end
local attempt = tonumber(fields[4])
local eventId = fields[6]

local function claimed(generation, dueAt)
  local ev = redis.call('HMGET', k('ev', eventId), 'displayName', 'data', 'priority', 'createdAt', 'chain')
  return { 'claimed', tostring(generation), tostring(attempt), eventId, fields[7], ev[1] or '', ev[2] or 'null',
    ev[3] or '0', ev[4] or '0', redis.call('HGETALL', steps), fields[8], fields[5], dueAt, ev[5] or '0' }
end

if state == 'processing' and redis.call('HGET', run, 'claimToken') == claimToken then
  -- A repeat of this very claim (the client resends a script whose answer was lost): answer it again
  -- instead of calling the lease busy, which would lose an attempt that never failed.
  return claimed(redis.call('HGET', run, 'generation'), redis.call('HGET', run, 'claimedDueAt') or '')
end
if state == 'processing' then
  if tonumber(fields[2]) > nowMs then return { 'busy' } end
  -- Cancelled while its invocation ran, and that invocation died: close it instead of retrying.
  local cancellation = redis.call('HGET', run, 'cancellation')
  if cancellation then
    cancel_run(runId, eventId, state, cancellation, nowMs, ttlCompleted, ttlDead)
    return { 'done', 'cancelled' }
  end
  -- The invocation holding the lease died or overran without recording an outcome: that attempt failed.
  local err = cjson.encode({ name = 'LeaseExpired', message = 'The invocation stopped before recording an outcome (crashed, killed or timed out).' })
  redis.call('RPUSH', attempts, cjson.encode({ attempt = attempt, outcome = 'lease-expired', endedAt = nowMs, error = cjson.decode(err) }))
  redis.call('HSET', run, 'lastError', err)
  attempt = attempt + 1
  if attempt > tonumber(fields[5]) + 1 then
    terminate(runId, eventId, state, 'dead-lettered', nowMs, ttlDead, ttlCompleted, ttlDead)
    local emitted = record_run_failed(runId, failureEventId, failureEventName, nowMs, failureOutboxAt)
    return { 'dead-lettered', emitted and failureEventId or '' }
  end
  redis.call('HSET', run, 'attempt', attempt)
elseif (tonumber(fields[3]) or 0) > nowMs + tonumber(earlyToleranceMs) then
  return { 'early', fields[3] }
end
local generation = redis.call('HINCRBY', run, 'generation', 1)
local dueAt = fields[3] or ''
redis.call('HSET', run, 'state', 'processing', 'leaseUntil', leaseUntil, 'startedAt', now, 'nextAt', '',
  'claimedDueAt', dueAt, 'claimToken', claimToken)
redis.call('HDEL', run, 'woken')
tally(eventId, state, 'processing')
redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)
return claimed(generation, dueAt)
