/**
 * Free loopback ports for the servers and child processes a reliability test starts: @awl/dev's
 * (listen on 0 and close again; every caller binds 127.0.0.1 only).
 */
export { freePort } from "@awl/dev/redis-server";
