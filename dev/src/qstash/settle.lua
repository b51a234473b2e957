-- Records the outcomes of delivery attempts and stores the callbacks they produced, atomically per
-- attempt, so a crash never leaves a delivered message scheduled without its callback or a callback
-- without its outcome. Several attempts are settled per call (the store batches what one turn of
-- the event loop produced). An attempt whose message no longer exists (cancelled meanwhile) changes
-- nothing: a cancelled message is not rescheduled, dead-lettered or called back for.
-- KEYS[1]: the schedule; KEYS[2]: the DLQ hash; then for each attempt: its message record key,
--   followed by the record keys of its new (callback) messages
-- ARGV for each attempt: message id; "done" | "retry" | "dead"; the updated record (retry) or the
--   DLQ record (dead) or ""; the next due time in ms (retry) or the DLQ id (dead) or ""; the number
--   of new messages; then for each new message: id, record, due time (ms)
-- Returns one number per attempt: 1 when recorded, 0 when its message was gone.
local results = {}
local key = 3
local arg = 1
while arg <= #ARGV do
  local record = KEYS[key]
  local id = ARGV[arg]
  local outcome = ARGV[arg + 1]
  local count = tonumber(ARGV[arg + 4])
  if redis.call("EXISTS", record) == 0 then
    results[#results + 1] = 0
  else
    if outcome == "retry" then
      redis.call("SET", record, ARGV[arg + 2])
      redis.call("ZADD", KEYS[1], ARGV[arg + 3], id)
    else
      redis.call("DEL", record)
      redis.call("ZREM", KEYS[1], id)
      if outcome == "dead" then
        redis.call("HSET", KEYS[2], ARGV[arg + 3], ARGV[arg + 2])
      end
    end
    for i = 1, count do
      local base = arg + 5 + 3 * (i - 1)
      redis.call("SET", KEYS[key + i], ARGV[base + 1])
      redis.call("ZADD", KEYS[1], ARGV[base + 2], ARGV[base])
    end
    results[#results + 1] = 1
  end
  key = key + 1 + count
  arg = arg + 5 + 3 * count
end
-- Repacked because the in-memory fallback (ioredis-mock) loses tables grown by assignment.
return {unpack(results)}
