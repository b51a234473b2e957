-- Deletes single runs with their journals and outbox entries (see delete_runs_of in lib.lua).
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, ttlCompleted, ttlDead, ...runIds
-- Reply: { runs deleted, events deleted with their last run }
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local ttlCompleted = ARGV[2]
local ttlDead = ARGV[3]
local runIds_count = #ARGV - 4 + 1
local function runIds_item(i) local b = 4 + i - 1 return ARGV[b] end
-- end of generated ARGV
local runs, events = 0, 0
for i = 1, runIds_count do
  local runId = runIds_item(i)
  local eventId = redis.call('HGET', k('run', runId), 'eventId')
  if eventId then
    local r, e = delete_runs_of(eventId, function(id) return id == runId end, ttlCompleted, ttlDead)
    runs, events = runs + r, events + e
  end
end
return { runs, events }
