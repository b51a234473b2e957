-- Hands the reconciler the outbox entries that are due: accepted work that should be in flight
-- but may not be (a failed publish, a lost message, an expired lease). Each entry handed out is
-- pushed forward by the grace period, so concurrent or repeated reconciles do not republish it at once.
-- A run parked in the concurrency queue while a limit of it is full is not handed out (its entry is
-- pushed forward all the same): the run that gives a slot back publishes it (slots-release.lua).
-- One whose slots are all free (a holder's lease expired, nobody handed over) or that was handed
-- its slots and left the queue (the hand-over's publish was lost) is handed out, as before.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, now, limit, nextOutboxAt
-- Reply: a flat list: kind ('route' | 'run'), id, target (the event name for a route, the workload URL
--   for a run), generation (a run's, which its delivery carries; '' for a route)
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local now = ARGV[2]
local limit = ARGV[3]
local nextOutboxAt = ARGV[4]
-- end of generated ARGV

-- Whether a pending run waits in the queue of every limit it is under, and one of them is full.
local function parked(id)
  local spec = redis.call('HGET', k('slots-waiting'), id)
  if not spec then return false end
  local limits = cjson.decode(spec)
  local full = false
  for i = 1, #limits, 2 do
    if not redis.call('ZSCORE', k('slots', limits[i], 'wait'), id) then return false end
    local holders = k('slots', limits[i])
    redis.call('ZREMRANGEBYSCORE', holders, '-inf', '(' .. now)
    if redis.call('ZCARD', holders) >= tonumber(limits[i + 1]) then full = true end
  end
  return full
end

local due = redis.call('ZRANGEBYSCORE', k('outbox'), '-inf', tonumber(now), 'LIMIT', 0, tonumber(limit))
local out = {}
for _, member in ipairs(due) do
  local kind, id = string.match(member, '^(%a+):(.+)$')
  if kind == 'route' then
    local f = redis.call('HMGET', k('ev', id), 'createdAt', 'routedAt', 'displayName')
    if f[1] and not f[2] then
      redis.call('ZADD', k('outbox'), nextOutboxAt, member)
      out[#out + 1] = 'route'; out[#out + 1] = id; out[#out + 1] = f[3]; out[#out + 1] = ''
    else
      redis.call('ZREM', k('outbox'), member)
    end
  else
    local f = redis.call('HMGET', k('run', id), 'state', 'url', 'generation')
    if not f[1] or is_final(f[1]) then
      redis.call('ZREM', k('outbox'), member)
    else
      redis.call('ZADD', k('outbox'), nextOutboxAt, member)
      if not (f[1] == 'pending' and parked(id)) then
        out[#out + 1] = 'run'; out[#out + 1] = id; out[#out + 1] = f[2]; out[#out + 1] = f[3]
      end
    end
  end
end
return out
