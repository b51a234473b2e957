-- Deletes events with their runs, journals, index entries and outbox entries.
-- ARGV: prefix, then eventIds. Returns the number of events deleted.
local deleted = 0
for i = 2, #ARGV do deleted = deleted + delete_event(ARGV[i]) end
return deleted
