-- Event conditions (engine/event-condition.ts, the reference for these semantics): the `if` of a
-- step.waitForEvent, evaluated here when an event meets a waiter. A condition arrives as the JSON
-- tree event-condition.ts makes, its `async` paths already replaced by the triggering event's values, so
-- only `event` paths are read: ["lit", v], ["get", "event", name or index...], ["!", a], [op, a, b].
-- Pure functions, no keys: prepended before lib.lua, which uses them. event-condition.test.ts runs
-- this file and event-condition.ts on one table of cases.

local function cond_null(v) return v == nil or v == cjson.null end

-- false, null, 0 and "" are falsy; everything else (tables included) is truthy.
local function cond_truthy(v) return not (cond_null(v) or v == false or v == 0 or v == '') end

-- Scalars by type and value; null equals only null; a table (object or array) equals nothing.
local function cond_equal(a, b)
  if cond_null(a) or cond_null(b) then return cond_null(a) and cond_null(b) end
  local t = type(a)
  return t ~= 'table' and t == type(b) and a == b
end

-- -1, 0 or 1 for two numbers, or two strings by bytes (Lua's own < on strings follows the locale);
-- nil for anything else, which no ordering operator accepts.
local function cond_order(a, b)
  local ta, tb = type(a), type(b)
  if ta == 'number' and tb == 'number' then return a < b and -1 or (a > b and 1 or 0) end
  if ta ~= 'string' or tb ~= 'string' then return nil end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y and -1 or 1 end
  end
  return #a < #b and -1 or (#a > #b and 1 or 0)
end

-- The value at a path of the event: object fields by name, array items by (0-based) index; nil when missing.
local function cond_read(node, event)
  if node[2] ~= 'event' then return nil end
  local v = event
  for i = 3, #node do
    local part = node[i]
    if type(v) ~= 'table' then return nil end
    if type(part) == 'number' then v = v[part + 1] else v = v[part] end
    if cond_null(v) then return nil end
  end
  return v
end

local COND_ORDERED = {
  ['<'] = function(o) return o < 0 end,
  ['<='] = function(o) return o <= 0 end,
  ['>'] = function(o) return o > 0 end,
  ['>='] = function(o) return o >= 0 end,
}
local function cond_value(node, event)
  local op = node[1]
  if op == 'lit' then return node[2] end
  if op == 'get' then return cond_read(node, event) end
  if op == '!' then return not cond_truthy(cond_value(node[2], event)) end
  if op == '&&' then return cond_truthy(cond_value(node[2], event)) and cond_truthy(cond_value(node[3], event)) end
  if op == '||' then return cond_truthy(cond_value(node[2], event)) or cond_truthy(cond_value(node[3], event)) end
  local a, b = cond_value(node[2], event), cond_value(node[3], event)
  if op == '==' then return cond_equal(a, b) end
  if op == '!=' then return not cond_equal(a, b) end
  local order = cond_order(a, b)
  return order ~= nil and COND_ORDERED[op](order)
end

-- Whether a stored condition (its JSON; '' or nil for none) holds for a decoded event { eventId, name, data }.
local function condition_holds(condition, event)
  if condition == nil or condition == '' then return true end
  return cond_truthy(cond_value(cjson.decode(condition), event))
end
