/**
 * delete.lua: deletes events with their runs, journals, index and outbox entries.
 * Reply: the number of events deleted.
 */
import { defineScript } from "./define.ts";

export const deleteScript = defineScript("delete", (reply): number => Number(reply));
