-- Hands out the starts of a throttle (engine/throttle.ts). Starts are slots on a grid `interval` apart
-- (the period over the limit), so no window of one period holds more than the limit, and each slot
-- goes to the best run waiting when it is due: the lowest `order` (concurrency.ts waitOrder: priority,
-- with aging). A run that finds no slot free joins the key's waiting set (scored by its order, kept
-- from its first wait) and parks. The best waiting runs are called ahead, for the slots of the next
-- `callAheadMs` (at least one): each is given its slot's time, its run hash is due then, and it is
-- delivered then (the reply names the runs for the caller to publish), so a publish and a delivery
-- never make a start late; better runs are called for earlier slots. When a due slot's run (or a run
-- finding a free slot) comes and a better run waits (come since), the better one takes the slot now
-- and the called one waits again. "Better" means ahead by more than callAheadMs: a priority, not the
-- jitter of clocks and round trips between runs of one priority. A run being invoked is not called
-- ahead (it is called once parked, by its 'recheck'); given a due slot, it is not delivered (its
-- delivery would find it busy) but marked `unsent`, and publishes itself once parked. Runs that ended
-- (cancelled, deleted) are dropped, and a call more than a minute overdue is forgotten (the reconciler
-- brings its run back).
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, throttleKey, runId, now, interval, order, callAheadMs, outboxGraceMs, mode
--   mode: 'take' (the run wants to start) or 'recheck' (the run has parked after 'wait')
-- Reply: {verdict, at, ...calls{runId, url, generation, at}}
--   verdict: 'run' (start now), 'park' (this run is called: deliver it at `at`), 'wait' (wait without a
--   delivery; `at`: when it would start if nothing better came), 'none' (recheck); calls: runs to
--   deliver at their slot's time
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local throttleKey = ARGV[2]
local runId = ARGV[3]
local now = ARGV[4]
local interval = ARGV[5]
local order = ARGV[6]
local callAheadMs = ARGV[7]
local outboxGraceMs = ARGV[8]
local mode = ARGV[9]
-- end of generated ARGV
now = tonumber(now)
interval = tonumber(interval)
callAheadMs = tonumber(callAheadMs)
local tatKey = k('throttle', throttleKey)
local waiting = k('throttle', throttleKey, 'wait')
local calledKey = k('throttle', throttleKey, 'called')
local unsent = k('throttle', throttleKey, 'unsent')
-- The next slot no run is called for.
local tat = tonumber(redis.call('GET', tatKey) or 0)
local calls = {}

-- The best waiting run (skipping called ones, and ones being invoked, when asked), and whether it is
-- being invoked.
local function best(skipCalled, skipBusy)
  local i = 0
  while true do
    local id = redis.call('ZRANGE', waiting, i, i)[1]
    if not id then return nil, false end
    local f = redis.call('HMGET', k('run', id), 'state', 'leaseUntil')
    if not f[1] or is_final(f[1]) then
      redis.call('ZREM', waiting, id)
      redis.call('ZREM', calledKey, id)
      redis.call('SREM', unsent, id)
    elseif skipCalled and redis.call('ZSCORE', calledKey, id) then
      i = i + 1
    elseif id == runId or f[1] ~= 'processing' then
      return id, false
    elseif tonumber(f[2] or 0) > now and not skipBusy then
      return id, true
    else
      -- Being invoked, or its invocation died: passed over until it parks or comes back.
      i = i + 1
    end
  end
end

-- Makes a run due at `at` (for the claim, which holds an early delivery until then, and for the
-- reconciler) and names it in the reply, for the caller to deliver.
local function deliver(id, at)
  local run = k('run', id)
  redis.call('HSET', run, 'nextAt', at)
  redis.call('ZADD', k('outbox'), at + tonumber(outboxGraceMs), 'run:' .. id)
  local f = redis.call('HMGET', run, 'url', 'generation')
  for _, v in ipairs({ id, f[1] or '', f[2] or '0', tostring(at) }) do calls[#calls + 1] = v end
end

-- Gives a run the slot at `at`: this run parks with its own delivery, a run being invoked delivers
-- itself once parked, any other is delivered by the caller.
local function give(id, at, busy)
  redis.call('ZADD', calledKey, at, id)
  if id == runId then return end
  if busy then
    redis.call('SADD', unsent, id)
    return
  end
  deliver(id, at)
end

-- Whether a run of order `a` goes before a called run of order `b`: by more than callAheadMs, so runs of
-- one priority that began waiting within a second of each other (their invocations' clocks and round
-- trips differ by that much) keep the slots they were called for instead of trading them back and forth.
local function ahead(a, b) return a + callAheadMs < b end

-- Calls a run for a slot, keeping better runs in earlier slots: it takes the earliest slot held by a
-- worse called run, and each worse one moves a slot later (its delivery comes at its old slot and
-- parks it until its new one), the last into `at`.
local function assign(id, at, busy)
  local order = tonumber(redis.call('ZSCORE', waiting, id))
  local held = redis.call('ZRANGE', calledKey, 0, -1, 'WITHSCORES')
  local carried = nil
  for i = 1, #held, 2 do
    local heldId, heldAt = held[i], tonumber(held[i + 1])
    local heldOrder = tonumber(redis.call('ZSCORE', waiting, heldId))
    if heldOrder and ahead(order, heldOrder) then
      if carried then
        redis.call('ZADD', calledKey, heldAt, carried)
      else
        give(id, heldAt, busy)
      end
      carried, order = heldId, heldOrder
    end
  end
  if carried then redis.call('ZADD', calledKey, at, carried) else give(id, at, busy) end
end

-- Calls the best waiting runs for the slots of the next callAheadMs, and at least the next one. A run
-- being invoked is left for its recheck once parked: a slot given to it now could come before it can
-- be delivered, and start late.
local function call_ahead()
  redis.call('ZREMRANGEBYSCORE', calledKey, '-inf', now - 60000)
  while redis.call('ZCARD', calledKey) == 0 or tat <= now + callAheadMs do
    local id = best(true, true)
    if not id then break end
    local at = math.max(tat, now)
    assign(id, at, false)
    tat = at + interval
  end
  redis.call('SET', tatKey, tat, 'PX', math.max(math.ceil(tat - now), 0) + 1000)
  redis.call('PEXPIRE', waiting, math.max(2 * interval + callAheadMs, 3600000))
end

local function reply(verdict, at)
  local out = { verdict, tostring(at or '') }
  for _, v in ipairs(calls) do out[#out + 1] = v end
  return out
end

local function starts()
  redis.call('ZREM', waiting, runId)
  redis.call('ZREM', calledKey, runId)
  redis.call('SREM', unsent, runId)
  call_ahead()
  return reply('run', now)
end

-- Where this run stands once the slots are handed out: called (park until its slot) or waiting.
local function parks()
  local mine = tonumber(redis.call('ZSCORE', calledKey, runId))
  if mine then return reply('park', mine) end
  local ahead = math.max(redis.call('ZRANK', waiting, runId) - redis.call('ZCARD', calledKey), 0)
  return reply('wait', math.max(tat, now) + ahead * interval)
end

if mode == 'recheck' then
  -- Given a slot while it was parking: it is delivered now, for its slot.
  if redis.call('SREM', unsent, runId) == 1 then
    local mine = tonumber(redis.call('ZSCORE', calledKey, runId))
    if mine then deliver(runId, mine) end
  end
  call_ahead()
  return reply('none')
end

redis.call('ZADD', waiting, 'NX', order, runId)
local mine = tonumber(redis.call('ZSCORE', calledKey, runId))
if mine and mine > now then return reply('park', mine) end
if mine or (tat <= now and redis.call('ZCARD', calledKey) == 0) then
  -- A slot is due (this run's, or a free one): the best waiting run takes it.
  local slot = mine or now
  local id, busy = best(false, false)
  if id ~= runId then
    local own = tonumber(redis.call('ZSCORE', waiting, runId))
    if not ahead(tonumber(redis.call('ZSCORE', waiting, id)), own) then id, busy = runId, false end
  end
  if id == runId then
    if not mine then tat = now + interval end
    return starts()
  end
  local theirs = tonumber(redis.call('ZSCORE', calledKey, id))
  redis.call('ZREM', calledKey, runId)
  redis.call('SREM', unsent, id)
  give(id, slot, busy)
  if not mine then tat = now + interval end
  -- This run takes the better run's later slot, if it had one.
  if theirs and theirs > slot then give(runId, theirs, false) end
end
call_ahead()
return parks()
