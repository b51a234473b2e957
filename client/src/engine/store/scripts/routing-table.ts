/**
 * routing-table.lua: publishes the router's routing table (unless the stored one has the same
 * digest). Reply: whether it was written.
 */
import { defineScript } from "./define.ts";

export const routingTableScript = defineScript("routing-table", (reply): boolean => reply === 1);
