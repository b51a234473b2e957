-- Gives back a run's concurrency slots (when `release` is 1) and hands every slot now free to the
-- runs waiting for it, best order first: a waiter gets all of its limits' slots at once or stays
-- waiting. Each run handed its slots holds them until handoffUntil, long enough for its delivery
-- to arrive and claim. Also reports the run itself when it holds all its slots without having
-- been delivered them (a handoff that came while it was still parking: its delivery found it busy).
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, runId, release, now, handoffUntil, ...limits
-- Reply: a flat list: runId, url, generation for each run to deliver now
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local runId = ARGV[2]
local release = ARGV[3]
local now = ARGV[4]
local handoffUntil = ARGV[5]
local limits_count = #ARGV - 6 + 1
local function limits_item(i) local b = 6 + i - 1 return ARGV[b] end
-- end of generated ARGV
local CANDIDATES = 50
local out = {}

local function deliver(id)
  local f = redis.call('HMGET', k('run', id), 'url', 'generation', 'state')
  if f[1] and f[3] == 'pending' then
    out[#out + 1] = id
    out[#out + 1] = f[1]
    out[#out + 1] = f[2]
  end
end

-- Whether every slot of `limits` (key, limit, ...) is free for `id`, after expiring stale holders.
local function fits(id, limits)
  for i = 1, #limits, 2 do
    local holders = k('slots', limits[i])
    redis.call('ZREMRANGEBYSCORE', holders, '-inf', '(' .. now)
    if not redis.call('ZSCORE', holders, id) and redis.call('ZCARD', holders) >= tonumber(limits[i + 1]) then
      return false
    end
  end
  return true
end

local mine = {}
for i = 1, limits_count do mine[i] = limits_item(i) end
if release == '1' then
  for i = 1, #mine, 2 do redis.call('ZREM', k('slots', mine[i]), runId) end
elseif redis.call('HEXISTS', k('slots-waiting'), runId) == 0 then
  local holds = #mine > 0
  for i = 1, #mine, 2 do
    if not redis.call('ZSCORE', k('slots', mine[i]), runId) then holds = false end
  end
  if holds then deliver(runId) end
end

for i = 1, #mine, 2 do
  local waiting = k('slots', mine[i], 'wait')
  for _, id in ipairs(redis.call('ZRANGE', waiting, 0, CANDIDATES - 1)) do
    local spec = redis.call('HGET', k('slots-waiting'), id)
    if not spec then
      redis.call('ZREM', waiting, id)
    else
      local limits = cjson.decode(spec)
      if fits(id, limits) then
        for j = 1, #limits, 2 do
          redis.call('ZADD', k('slots', limits[j]), handoffUntil, id)
          redis.call('ZREM', k('slots', limits[j], 'wait'), id)
        end
        redis.call('HDEL', k('slots-waiting'), id)
        deliver(id)
      end
    end
    if redis.call('ZCARD', k('slots', mine[i])) >= tonumber(mine[i + 1]) then break end
  end
end
return out
