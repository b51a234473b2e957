-- Publishes the router's routing table without routing an event (lib.lua write_routing_table, as
-- route.lua does with every routing), and its workload manifest: a router that has not routed yet,
-- or a test or bench that wants senders to route at send from their first event.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, tableDigest, tableEntries, tableTtlMs, manifest
--   tableEntries: JSON {lower-cased name: field value} (keys.ts routingTable); manifest: JSON, or ''
--   to leave the stored one alone
-- Reply: 1 if the table was written, 0 if the stored one has the same digest
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local tableDigest = ARGV[2]
local tableEntries = ARGV[3]
local tableTtlMs = ARGV[4]
local manifest = ARGV[5]
-- end of generated ARGV
if manifest ~= '' then redis.call('SET', k('workloads'), manifest) end
return write_routing_table(tableDigest, tableEntries, tableTtlMs)
