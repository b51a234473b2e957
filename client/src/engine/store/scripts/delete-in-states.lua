-- Deletes the runs of some events that are in some states: "delete every dead-lettered checkout"
-- removes the dead-lettered runs and keeps a checkout's completed ones (see delete_runs_of in
-- lib.lua). States are checked here, atomically, not when the caller listed the events. An event
-- without runs (not routed yet, or unmatched) is deleted whole when its own state is selected.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, ttlCompleted, ttlDead, stateCount, states[stateCount], ...eventIds
-- Reply: { runs deleted, events deleted }
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local ttlCompleted = ARGV[2]
local ttlDead = ARGV[3]
local stateCount = ARGV[4]
local states_count = tonumber(stateCount)
local function states_item(i) local b = 5 + i - 1 return ARGV[b] end
local eventIds_count = #ARGV - (5 + states_count) + 1
local function eventIds_item(i) local b = (5 + states_count) + i - 1 return ARGV[b] end
-- end of generated ARGV
local selected = {}
for i = 1, states_count do selected[states_item(i)] = true end
local runs, events = 0, 0
for i = 1, eventIds_count do
  local eventId = eventIds_item(i)
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
