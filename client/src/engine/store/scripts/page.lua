-- Selects a page of event ids, newest first, without reading the events: from every event, one
-- name's, one state's, or one state's of one name (see tally in lib.lua). Entries whose event has
-- expired (retention) are removed from the index on the way, so a page is not cut short by them; at
-- most scanLimit entries are looked at per call (a script holds Upstash's lock while it runs), so
-- a stretch of expired entries can answer a short page with a position to go on from.
-- A position is (score, skip): the creation time reached, and how many entries with exactly that
-- score were already passed (events created in the same millisecond share a score).
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, state, name, score, skip, limit, scanLimit
--   state: '' = any; name: lower-cased, '' = any; score: '+inf' = from the newest
-- Reply: { more (0|1), score, skip, id... }: more = 1 when the index may hold further entries
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local state = ARGV[2]
local name = ARGV[3]
local score = ARGV[4]
local skip = ARGV[5]
local limit = ARGV[6]
local scanLimit = ARGV[7]
-- end of generated ARGV
skip = tonumber(skip)
limit, scanLimit = tonumber(limit), tonumber(scanLimit)

local index
if state ~= '' and name ~= '' then
  index = name_state_index(state, name)
elseif state ~= '' then
  index = k('idx', 'state', state)
elseif name ~= '' then
  index = k('idx', 'name', name)
else
  index = k('idx', 'all')
end

local ids, scanned = {}, 0
while scanned < scanLimit do
  -- One more than needed, so that a page that ends the index says so.
  local count = math.min(limit - #ids + 1, scanLimit - scanned)
  local entries = redis.call('ZRANGE', index, score, '-inf', 'BYSCORE', 'REV', 'LIMIT', skip, count, 'WITHSCORES')
  for i = 1, #entries, 2 do
    if #ids == limit then return { 1, score, skip, unpack(ids) } end
    local id, s = entries[i], entries[i + 1]
    scanned = scanned + 1
    if s == score then skip = skip + 1 else score, skip = s, 1 end
    if redis.call('EXISTS', k('ev', id)) == 1 then
      ids[#ids + 1] = id
    else
      redis.call('ZREM', index, id)
      -- The entry is gone, so the entries after it moved up by one.
      skip = skip - 1
    end
  end
  if #entries < count * 2 then return { 0, score, skip, unpack(ids) } end
end
return { 1, score, skip, unpack(ids) }
