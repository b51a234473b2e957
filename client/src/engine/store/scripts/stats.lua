-- Counts events per state, overall and per event name, in one round trip (the dashboard's counts).
-- An event counts once in every state one of its runs is in: the per-state indexes, overall and
-- per name, hold exactly those events (see tally in lib.lua), so every count is a ZCARD and the
-- script's work grows with the number of names, not of events.
-- Events expire after their retention while their index entries stay until something notices;
-- before counting, the oldest entries of each index (the first to expire, since scores are creation
-- times) are checked, up to pruneLimit per index, and the expired ones removed, so the counts converge
-- on the truth as the dashboard refreshes instead of growing forever.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, pruneLimit, maxNames
-- Reply: a flat list: a count per state, then per name: name, total, a count per state (STATES order, lib.lua)
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local pruneLimit = ARGV[2]
local maxNames = ARGV[3]
-- end of generated ARGV
pruneLimit = tonumber(pruneLimit)
maxNames = tonumber(maxNames)

local function prune(index)
  local oldest = redis.call('ZRANGE', index, 0, pruneLimit - 1)
  for _, eventId in ipairs(oldest) do
    if redis.call('EXISTS', k('ev', eventId)) == 0 then
      redis.call('ZREM', index, eventId)
    else
      -- Entries after the first live one are younger; they have not expired either (near enough).
      return
    end
  end
end

local out = {}
for _, s in ipairs(STATES) do
  local index = k('idx', 'state', s)
  prune(index)
  out[#out + 1] = redis.call('ZCARD', index)
end

local names = redis.call('SMEMBERS', k('idx', 'names'))
local counted = 0
for _, name in ipairs(names) do
  if counted >= maxNames then break end
  local index = k('idx', 'name', name)
  prune(index)
  local total = redis.call('ZCARD', index)
  if total == 0 then
    redis.call('SREM', k('idx', 'names'), name)
  else
    counted = counted + 1
    -- Names match case-insensitively; show each as its newest event spelled it.
    local newest = redis.call('ZRANGE', index, -1, -1)[1]
    out[#out + 1] = (newest and redis.call('HGET', k('ev', newest), 'displayName')) or name
    out[#out + 1] = total
    for _, s in ipairs(STATES) do
      local byState = name_state_index(s, name)
      prune(byState)
      out[#out + 1] = redis.call('ZCARD', byState)
    end
  end
end
return out
