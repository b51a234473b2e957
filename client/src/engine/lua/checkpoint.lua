-- Records one completed step in the run's journal, fenced by the generation claimed for this
-- invocation: a stale or duplicate invocation writes nothing (invariant 2).
-- ARGV: prefix, runId, generation, stepId, record (JSON)
-- Returns 1 when written, 0 when fenced out.
local run, steps = run_keys(ARGV[2])
local f = redis.call('HMGET', run, 'generation', 'state')
if f[1] ~= ARGV[3] or f[2] ~= 'processing' then return 0 end
redis.call('HSET', steps, ARGV[4], ARGV[5])
return 1
