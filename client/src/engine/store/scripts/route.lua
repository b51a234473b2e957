-- Creates one run per matching workload for an event, once: a repeated router delivery creates
-- nothing new and only hands back the runs that have not started, for republishing. The router
-- also publishes its routing table here (lib.lua write_routing_table), so senders can route at send,
-- and, once per router instance, its workload manifest (engine/workload-manifest.ts) for the events API.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, eventId, now, outboxAt, ttlCompleted, tableDigest, tableEntries, tableTtlMs, manifest, count, targets[count]{workload, url, maxRetries}
--   targets: the workloads the event matches
--   tableDigest: '' to leave the routing table alone; tableEntries: JSON {lower-cased name: field value}
--   manifest: JSON, or '' to leave the stored one alone
-- Reply: a flat list: runId, url, generation for each run to publish (a new run, or one a waited-for event woke); false when the event no longer exists
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local eventId = ARGV[2]
local now = ARGV[3]
local outboxAt = ARGV[4]
local ttlCompleted = ARGV[5]
local tableDigest = ARGV[6]
local tableEntries = ARGV[7]
local tableTtlMs = ARGV[8]
local manifest = ARGV[9]
local count = ARGV[10]
local targets_count = tonumber(count)
local function targets_item(i) local b = 11 + (i - 1) * 3 return ARGV[b], ARGV[b + 1], ARGV[b + 2] end
-- end of generated ARGV
if tableDigest ~= '' then write_routing_table(tableDigest, tableEntries, tableTtlMs) end
if manifest ~= '' then redis.call('SET', k('workloads'), manifest) end
if redis.call('EXISTS', k('ev', eventId)) == 0 then
  redis.call('ZREM', k('outbox'), 'route:' .. eventId)
  return false
end
local function target(i)
  local workload, url, maxRetries = targets_item(i)
  return workload, url, maxRetries
end
local out = {}
route_event(eventId, targets_count, target, now, outboxAt, ttlCompleted, out)
return out
