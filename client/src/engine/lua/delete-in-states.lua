-- Deletes the runs of some events that are in some states: "delete every dead-lettered checkout"
-- removes the dead-lettered runs and keeps a checkout's completed ones (see delete_runs_of in
-- lib.lua). States are checked here, atomically, not when the caller listed the events. An event
-- without runs (not routed yet, or unmatched) is deleted whole when its own state is selected.
-- ARGV: prefix, ttlCompleted, ttlDead, number of states, the states, then eventIds.
-- Returns { runs deleted, events deleted }.
local ttlCompleted, ttlDead = ARGV[2], ARGV[3]
local stateCount = tonumber(ARGV[4])
local selected = {}
for i = 5, 4 + stateCount do selected[ARGV[i]] = true end
local runs, events = 0, 0
for i = 5 + stateCount, #ARGV do
  local eventId = ARGV[i]
  local ev = k('ev', eventId)
  local f = redis.call('HMGET', ev, 'createdAt', 'runs')
  if f[1] and (f[2] or '') == '' then
    for state in pairs(selected) do
      if redis.call('HEXISTS', ev, 'n:' .. state) == 1 then
        events = events + delete_event(eventId)
        break
      end
    end
  elseif f[1] then
    local r, e = delete_runs_of(eventId, function(_, state) return selected[state] end, ttlCompleted, ttlDead)
    runs, events = runs + r, events + e
  end
end
return { runs, events }
