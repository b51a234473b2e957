-- Decides whether a run may start under a rateLimit (engine/rate-limit.ts): a sliding window log.
-- The key's window is a sorted set of the runs admitted in the last `period`, scored by when; a run
-- is admitted while it holds fewer than `limit`, so no window of one period, wherever it falls, holds
-- more than `limit` starts (a fixed window lets 2 x limit through across a boundary). The cost is
-- one member per admitted run, at most `limit` per key, and the set expires a period after its last
-- admission. A run is decided once: an admitted run (marked on its hash) is admitted again when it
-- comes back to start (after a debounce or a throttle wait), without counting twice.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, rateKey, runId, now, periodMs, limit
-- Reply: 1 when the run may start, 0 when the limit is reached (the run is skipped)
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local rateKey = ARGV[2]
local runId = ARGV[3]
local now = ARGV[4]
local periodMs = ARGV[5]
local limit = ARGV[6]
-- end of generated ARGV
now = tonumber(now)
periodMs = tonumber(periodMs)
local run = k('run', runId)
if redis.call('HEXISTS', run, 'rateAdmittedAt') == 1 then return 1 end
local window = k('ratelimit', rateKey)
redis.call('ZREMRANGEBYSCORE', window, '-inf', now - periodMs)
if redis.call('ZCARD', window) >= tonumber(limit) then return 0 end
redis.call('ZADD', window, now, runId)
redis.call('PEXPIRE', window, periodMs)
redis.call('HSET', run, 'rateAdmittedAt', now)
return 1
