/**
 * The talk's first demo, written against the Netlify Async Workloads API (`@awl/client/netlify`):
 * the handler and its configuration are two exports, which the extension's build step combines.
 *
 *   npx awl send hello
 */
import { asyncWorkloadFn, type AsyncWorkloadConfig } from "@awl/client/netlify";

export default asyncWorkloadFn(async (event) => {
  console.log(`hello from async workload (event ${event.eventId}, attempt ${event.attempt})`);
});

export const asyncWorkloadConfig: AsyncWorkloadConfig = { events: ["hello"] };
