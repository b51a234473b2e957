-- Stores newly accepted messages and schedules them, all or nothing. A message whose
-- deduplication key was seen within the window is not stored: the earlier message id is returned
-- in its place.
-- KEYS[1]: the schedule (sorted set of message ids by due time, ms)
-- For message i: KEYS[2i] its record key, KEYS[2i+1] its deduplication key (its record key again
--   when it has none)
-- ARGV for message i, from ARGV[4i-3]: id, record JSON, due time (ms), deduplication window (ms,
--   "0" when it has no deduplication key)
-- Returns one string per message: "" when stored, otherwise the id of the earlier message.
local results = {}
for i = 1, (#KEYS - 1) / 2 do
  local base = 4 * (i - 1)
  local id, window = ARGV[base + 1], ARGV[base + 4]
  local earlier = false
  if window ~= "0" then
    earlier = redis.call("GET", KEYS[2 * i + 1])
    if not earlier then
      redis.call("SET", KEYS[2 * i + 1], id, "PX", window)
    end
  end
  if earlier then
    results[i] = earlier
  else
    redis.call("SET", KEYS[2 * i], ARGV[base + 2])
    redis.call("ZADD", KEYS[1], ARGV[base + 3], id)
    results[i] = ""
  end
end
-- Repacked because the in-memory fallback (ioredis-mock) loses tables grown by assignment.
return {unpack(results)}
