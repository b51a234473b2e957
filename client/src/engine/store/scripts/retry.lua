-- Gives dead-lettered runs a fresh set of attempts, keeping their completed steps.
-- The generation goes up, so that a failed delivery from before the retry cannot fail its new attempts.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, now, outboxAt, ...runIds
-- Reply: a flat list: runId, url, generation for each run that was dead-lettered and is now pending
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local now = ARGV[2]
local outboxAt = ARGV[3]
local runIds_count = #ARGV - 4 + 1
local function runIds_item(i) local b = 4 + i - 1 return ARGV[b] end
-- end of generated ARGV
local out = {}
for i = 1, runIds_count do
  local runId = runIds_item(i)
  local run, steps, attempts = run_keys(runId)
  local f = redis.call('HMGET', run, 'state', 'eventId', 'url')
  if f[1] == 'dead-lettered' then
    redis.call('PERSIST', run)
    redis.call('PERSIST', steps)
    redis.call('PERSIST', attempts)
    redis.call('PERSIST', k('ev', f[2]))
    redis.call('HSET', run, 'state', 'pending', 'attempt', 1, 'finishedAt', '', 'nextAt', '')
    redis.call('HINCRBY', run, 'manualRetries', 1)
    local generation = redis.call('HINCRBY', run, 'generation', 1)
    redis.call('RPUSH', attempts, cjson.encode({ outcome = 'retried', endedAt = tonumber(now) }))
    redis.call('ZADD', k('outbox'), outboxAt, 'run:' .. runId)
    tally(f[2], 'dead-lettered', 'pending')
    out[#out + 1] = runId
    out[#out + 1] = f[3]
    out[#out + 1] = tostring(generation)
  end
end
return out
