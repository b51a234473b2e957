-- Deletes events with their runs, journals, index entries and outbox entries.
-- KEYS: none (lib.lua builds every key from prefix)
-- ARGV: prefix, ...eventIds
-- Reply: the number of events deleted
-- ARGV, bound by name (generated from the header: npm run generate:lua)
local eventIds_count = #ARGV - 2 + 1
local function eventIds_item(i) local b = 2 + i - 1 return ARGV[b] end
-- end of generated ARGV
local deleted = 0
for i = 1, eventIds_count do deleted = deleted + delete_event(eventIds_item(i)) end
return deleted
