import { createServer } from "node:net";
import { afterEach, describe, expect, test, vi } from "vitest";
import { EventsApiClient, EventsApiError } from "./events-api-client.ts";

const SITE = "https://shop.example";

/** Replaces fetch with one answering `status` and `body` (JSON unless a string), recording requests. */
function stubFetch(status: number, body: unknown) {
  const requests: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
    }),
  );
  return requests;
}

const client = () => new EventsApiClient({ siteUrl: `${SITE}/`, apiKey: "k1" });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("requests", () => {
  test("send POSTs the event with the Bearer key to <site>/awl/api/events", async () => {
    const requests = stubFetch(202, { eventId: "evt_1", status: "accepted" });
    await expect(client().send({ name: "checkout", data: { cartId: "c_1" }, priority: 2 })).resolves.toEqual({
      eventId: "evt_1",
      status: "accepted",
    });
    expect(requests[0]!.url).toBe(`${SITE}/awl/api/events`);
    expect(requests[0]!.init.method).toBe("POST");
    expect(new Headers(requests[0]!.init.headers).get("authorization")).toBe("Bearer k1");
    expect(JSON.parse(String(requests[0]!.init.body))).toEqual({
      name: "checkout",
      data: { cartId: "c_1" },
      priority: 2,
    });
  });

  test("behind a proxy that adds the key: no authorization header, and the given fetch and base path", async () => {
    const requests: { url: string; headers: Headers }[] = [];
    const proxied = new EventsApiClient({
      siteUrl: SITE,
      basePath: "/api/events",
      fetch: async (url, init) => {
        requests.push({ url, headers: new Headers(init.headers) });
        return Response.json({ states: {}, names: [] });
      },
    });
    await expect(proxied.stats()).resolves.toEqual({ states: {}, names: [] });
    expect(requests[0]!.url).toBe(`${SITE}/api/events/stats`);
    expect(requests[0]!.headers.has("authorization")).toBe(false);
  });

  test("list puts only the given filters in the query string", async () => {
    const requests = stubFetch(200, { events: [], cursor: null });
    await client().list({ state: "dead-lettered", limit: 5 });
    expect(requests[0]!.url).toBe(`${SITE}/awl/api/events?state=dead-lettered&limit=5`);
  });

  test("pages follows the cursor until the last page", async () => {
    const answers = [
      { events: [{ id: "evt_1" }], cursor: "10:1" },
      { events: [{ id: "evt_2" }], cursor: null },
    ];
    const urls: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        urls.push(url);
        return new Response(JSON.stringify(answers.shift()));
      }),
    );
    const ids: string[] = [];
    for await (const page of client().pages({ name: "checkout" })) ids.push(...page.events.map((e) => e.id));
    expect(ids).toEqual(["evt_1", "evt_2"]);
    expect(urls[1]).toBe(`${SITE}/awl/api/events?name=checkout&cursor=10%3A1`);
  });

  test("get, retry, delete and reconcile reach their routes with their bodies", async () => {
    const requests = stubFetch(200, {});
    await client().get("evt_1");
    await client().retry();
    await client().retry({ eventNames: ["checkout"] });
    await client().delete({ states: ["completed"] });
    await client().reconcile();
    expect(requests.map((r) => `${r.init.method} ${r.url.slice(SITE.length)} ${r.init.body ?? ""}`)).toEqual([
      "GET /awl/api/events/evt_1 ",
      "POST /awl/api/events/retry {}",
      'POST /awl/api/events/retry {"eventNames":["checkout"]}',
      'DELETE /awl/api/events {"states":["completed"]}',
      "POST /awl/api/reconcile ",
    ]);
  });

  test("a site URL that is not a URL is refused at construction", () => {
    expect(() => new EventsApiClient({ siteUrl: "localhost:8888", apiKey: "k" })).toThrow(/siteUrl/);
  });
});

describe("failures", () => {
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable(),
      (error: unknown) => error as EventsApiError,
    );

  test("401: API key not accepted", async () => {
    stubFetch(401, { error: "API key not accepted" });
    const error = await failure(client().list());
    expect(error).toBeInstanceOf(EventsApiError);
    expect(error.reason).toBe("unauthorized");
    expect(error.message).toBe(`API key not accepted by ${SITE}/awl/api/events`);
  });

  test("400: the API's issues, each naming its field", async () => {
    const issues = [{ path: ["priority"], message: "must be between -50 and 50" }];
    stubFetch(400, { error: "priority: must be between -50 and 50", issues });
    const error = await failure(client().send({ name: "a", priority: 99 }));
    expect(error.reason).toBe("invalid");
    expect(error.issues).toEqual(issues);
  });

  test("404 from the API: not-found with its message", async () => {
    stubFetch(404, { error: "event evt_9 not found" });
    const error = await failure(client().get("evt_9"));
    expect(error).toMatchObject({ reason: "not-found", message: "event evt_9 not found", status: 404 });
  });

  test("an answer that is not the events API's says so", async () => {
    stubFetch(404, "<html>Not Found</html>");
    const error = await failure(client().list());
    expect(error.reason).toBe("failed");
    expect(error.message).toMatch(/answered 404 .* is the events API served there\?/);
  });

  test("connection refused: unreachable, naming the URL", async () => {
    const port = await closedPort();
    const error = await failure(
      new EventsApiClient({ siteUrl: `http://127.0.0.1:${port}`, apiKey: "k" }).list(),
    );
    expect(error.reason).toBe("unreachable");
    expect(error.message).toBe(
      `could not reach the events API at http://127.0.0.1:${port}/awl/api/events: connection refused`,
    );
  });
});

/** A loopback port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
