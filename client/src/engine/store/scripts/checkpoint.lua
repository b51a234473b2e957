-- Records one completed step in the run's journal, fenced by the generation claimed for this
-- invocation: a stale or duplicate invocation writes nothing (invariant 2).
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, runId, generation, stepId, record
--   record: the journal entry (JSON)
-- Reply: 1 when written, 2 when written and the run was cancelled meanwhile (start nothing more), 0 when fenced out.
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local runId = ARGV[2]
local generation = ARGV[3]
local stepId = ARGV[4]
local record = ARGV[5]
-- end of generated ARGV
local run, steps = run_keys(runId)
-- The cancellation mark is read with the fence, so a step costs no extra command for it.
local f = redis.call('HMGET', run, 'generation', 'state', 'cancellation')
if f[1] ~= generation or f[2] ~= 'processing' then return 0 end
redis.call('HSET', steps, stepId, record)
if f[3] then return 2 end
return 1
