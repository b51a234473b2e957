/**
 * Concepts kept in one place, and the packages that must agree on them: event ids (the engine makes
 * them, the API validates them, the dashboard and the extension's proxy accept them), reserved event
 * names, the API key list in AWL_API_KEY, what a site URL is, and the environment awl dev writes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { resolveTarget } from "../../cli/src/target.ts";
import { parseSiteUrl } from "../../cli/src/commands/options.ts";
import {
  apiKeysFromEnv,
  generateApiKey,
  parseApiKeys,
  ROTATED_API_KEY_VARIABLE,
} from "../../client/src/api/auth.ts";
import { EventsApiClient, isSiteUrl } from "../../client/src/client/events-api-client.ts";
import { EVENT_ID_PATTERN, EVENT_ID_PREFIX, newEventId } from "../../client/src/engine/ids.ts";
import {
  INTERNAL_EVENTS,
  INTERNAL_EVENT_PREFIX,
  OPERATION_EVENTS,
  RUN_FAILED,
  isInternalEvent,
} from "../../client/src/engine/internal-events.ts";
import {
  DEFAULT_EVENT_CHAIN_LIMIT,
  EVENT_CHAIN_LIMIT_VARIABLE,
  eventChainLimit,
  idSchema,
  runIdSchema,
} from "../../client/src/engine/limits.ts";
import { missingEnvironment } from "../../client/src/engine/runtime.ts";
import { prepareEvents } from "../../client/src/engine/send.ts";
import { eventIdFrom } from "../../dashboard/src/hash-route.ts";
import { devEnvironment } from "@awl/dev/env";
import { isForwarded } from "../../extension/src/endpoints/events-proxy.ts";

describe("event ids", () => {
  test("the engine's ids are what the API, the dashboard and the extension's proxy accept", () => {
    const id = newEventId(Date.now());
    expect(id.startsWith(EVENT_ID_PREFIX)).toBe(true);
    expect(id).toMatch(EVENT_ID_PATTERN);
    expect(idSchema.safeParse(id).success).toBe(true);
    expect(runIdSchema.safeParse(`${id}.checkout`).success).toBe(true);
    expect(eventIdFrom(`${id}.checkout`)).toBe(id);
    expect(isForwarded(`events/${id}`)).toBe(true);
  });

  test("whatever the pattern accepts, the API accepts; nothing with a dot climbs the proxy's path", () => {
    fc.assert(
      fc.property(fc.stringMatching(EVENT_ID_PATTERN), (id) => {
        expect(idSchema.safeParse(id).success).toBe(true);
        expect(eventIdFrom(id)).toBe(id);
        expect(isForwarded(`events/${id}`)).toBe(true);
      }),
    );
    expect(isForwarded("events/..")).toBe(false);
    expect(isForwarded("events/evt_1.checkout")).toBe(false);
  });
});

describe("reserved event names", () => {
  test("every internal event is reserved and lower-case; the operations are the only `awl:` names a send accepts", () => {
    for (const name of INTERNAL_EVENTS) {
      expect(name).toBe(name.toLowerCase());
      expect(isInternalEvent(name)).toBe(true);
    }
    expect(prepareEvents([{ name: OPERATION_EVENTS[0]!, data: {} }], Date.now())).toHaveLength(1);
    expect(() => prepareEvents([{ name: `${INTERNAL_EVENT_PREFIX}other` }], Date.now())).toThrow(
      `known: ${INTERNAL_EVENTS.join(", ")}`,
    );
    // Only the engine emits it (the script that dead-letters a run).
    expect(() => prepareEvents([{ name: RUN_FAILED }], Date.now())).toThrow("it cannot be sent");
  });
});

describe("AWL_API_KEY", () => {
  test("AWL_API_KEY_P<n> (Netlify's rotation) and AWL_API_KEY: the CLI sends with the key the client does, the highest n first", () => {
    const [p0, p1, p10, plain] = [generateApiKey(), generateApiKey(), generateApiKey(), generateApiKey()];
    const env = { AWL_API_KEY_P1: p1, AWL_API_KEY_P10: p10, AWL_API_KEY_P0: p0, AWL_API_KEY: plain };
    expect(apiKeysFromEnv(env)).toEqual([p10, p1, p0, plain]);
    expect(resolveTarget({ site: "http://localhost:8888" }, env, "/nonexistent").apiKey).toBe(p10);
    expect(apiKeysFromEnv({ AWL_API_KEY: ` ${plain} , ${p1}`, AWL_API_KEY_PX: p0 })).toEqual([plain, p1]);
  });

  test("the CLI takes the first key the site's API would accept", () => {
    for (const value of ["k1", " k1 , k2", "k1,k2,"]) {
      const { apiKey } = resolveTarget(
        { site: "http://localhost:8888" },
        { AWL_API_KEY: value },
        "/nonexistent",
      );
      expect(apiKey).toBe(parseApiKeys(value)[0]);
    }
  });
});

describe("Netlify's variables", () => {
  test("AWL_EVENT_CHAIN_LIMIT is read by its one name and documented with AWL_API_KEY_P<n>", () => {
    expect(eventChainLimit({ [EVENT_CHAIN_LIMIT_VARIABLE]: "5" })).toBe(5);
    expect(eventChainLimit({})).toBe(DEFAULT_EVENT_CHAIN_LIMIT);
    const environment = readFileSync(join(import.meta.dirname, "../../docs/how-it-works.md"), "utf8");
    expect(environment).toContain(`| \`${EVENT_CHAIN_LIMIT_VARIABLE}\` |`);
    expect(environment).toContain("`AWL_API_KEY_P<n>`");
    expect(ROTATED_API_KEY_VARIABLE.test("AWL_API_KEY_P12")).toBe(true);
    expect(ROTATED_API_KEY_VARIABLE.test("AWL_API_KEY_OLD")).toBe(false);
  });
});

describe("site URLs", () => {
  const refused = (call: () => unknown) => {
    try {
      call();
      return false;
    } catch (error) {
      return /not an http\(s\) URL/.test((error as Error).message);
    }
  };

  test("the CLI's --site, its environment and the events API client agree on what a site URL is", () => {
    for (const url of [
      "http://localhost:8888",
      "https://shop.example/",
      "ftp://x",
      "localhost:8888",
      "http://",
    ]) {
      const expected = !isSiteUrl(url);
      expect(
        refused(() => parseSiteUrl(url)),
        url,
      ).toBe(expected);
      expect(
        refused(() => new EventsApiClient({ siteUrl: url })),
        url,
      ).toBe(expected);
      expect(
        refused(() => resolveTarget({ site: url, apiKey: "k" }, {}, "/nonexistent")),
        url,
      ).toBe(expected);
    }
    expect(isSiteUrl("http://localhost:8888")).toBe(true);
    expect(isSiteUrl("ftp://x")).toBe(false);
  });
});

describe("the environment", () => {
  test("what awl dev and awl init write is everything the engine needs but the site's URL", () => {
    const written = devEnvironment({
      redisRestUrl: "http://127.0.0.1:8079",
      redisRestToken: "token",
      qstashUrl: "http://127.0.0.1:8080",
    });
    expect(missingEnvironment(written)).toEqual(["URL (or AWL_ROUTER_URL)"]);
    expect(missingEnvironment({ ...written, URL: "http://localhost:8888" })).toEqual([]);
  });
});
