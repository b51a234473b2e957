-- Deletes single runs with their journals and outbox entries. The run leaves its event's run list
-- and tally (so the event leaves the state indexes it was only in through this run); an event whose
-- last run goes is deleted with it, as an event with no runs left has nothing to show or retry.
-- ARGV: prefix, ttlCompleted, ttlDead, then runIds.
-- Returns { runs deleted, events deleted }.
local ttlCompleted, ttlDead = ARGV[2], ARGV[3]
local runsDeleted, eventsDeleted = 0, 0
for i = 4, #ARGV do
  local runId = ARGV[i]
  local f = redis.call('HMGET', k('run', runId), 'eventId', 'state')
  if f[1] then
    local eventId, ev = f[1], k('ev', f[1])
    drop_run(runId)
    runsDeleted = runsDeleted + 1
    local remaining = {}
    for id in string.gmatch(redis.call('HGET', ev, 'runs') or '', '[^,]+') do
      if id ~= runId then remaining[#remaining + 1] = id end
    end
    if #remaining == 0 then
      eventsDeleted = eventsDeleted + delete_event(eventId)
    else
      redis.call('HSET', ev, 'runs', table.concat(remaining, ','))
      tally(eventId, f[2], nil)
      settle_event(eventId, ttlCompleted, ttlDead)
    end
  end
end
return { runsDeleted, eventsDeleted }
