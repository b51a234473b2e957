-- Cancels runs, keeping their history. A run waiting for a delivery (pending, delayed, sleeping) is
-- closed here: its next delivery finds it ended and changes nothing. A run an invocation holds is
-- marked: the step running finishes and is stored, nothing after it starts, and the invocation's
-- outcome closes it (checkpoint.lua, finish.lua; claim.lua if the invocation dies). Ended runs are left as they are.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, now, cancellation, ttlCompleted, ttlDead, ...runIds
--   cancellation: JSON { by, reason, at }
-- Reply: a flat list: runId, 'cancelled' | 'cancelling' for each run that was active
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local now = ARGV[2]
local cancellation = ARGV[3]
local ttlCompleted = ARGV[4]
local ttlDead = ARGV[5]
local runIds_count = #ARGV - 6 + 1
local function runIds_item(i) local b = 6 + i - 1 return ARGV[b] end
-- end of generated ARGV
local out = {}
for i = 1, runIds_count do
  local runId = runIds_item(i)
  local run = k('run', runId)
  local f = redis.call('HMGET', run, 'state', 'eventId')
  local state = f[1]
  if state == 'pending' or state == 'delayed' or state == 'sleeping' then
    cancel_run(runId, f[2], state, cancellation, now, ttlCompleted, ttlDead)
    out[#out + 1] = runId
    out[#out + 1] = 'cancelled'
  elseif state == 'processing' then
    if redis.call('HEXISTS', run, 'cancellation') == 0 then redis.call('HSET', run, 'cancellation', cancellation) end
    out[#out + 1] = runId
    out[#out + 1] = 'cancelling'
  end
end
return out
