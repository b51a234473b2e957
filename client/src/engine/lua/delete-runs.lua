-- Deletes single runs with their journals and outbox entries (see delete_runs_of in lib.lua).
-- ARGV: prefix, ttlCompleted, ttlDead, then runIds.
-- Returns { runs deleted, events deleted with their last run }.
local ttlCompleted, ttlDead = ARGV[2], ARGV[3]
local runs, events = 0, 0
for i = 4, #ARGV do
  local runId = ARGV[i]
  local eventId = redis.call('HGET', k('run', runId), 'eventId')
  if eventId then
    local r, e = delete_runs_of(eventId, function(id) return id == runId end, ttlCompleted, ttlDead)
    runs, events = runs + r, events + e
  end
end
return { runs, events }
