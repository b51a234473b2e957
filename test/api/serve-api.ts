/**
 * Serves the events API over real HTTP on a free loopback port, the way the extension serves it
 * inside a site, and gives tests a `call` that sends JSON with (or without) an API key.
 */
import { randomBytes } from "node:crypto";
import { serve, type ServerType } from "@hono/node-server";
import { createEventsApi, DEFAULT_API_BASE_PATH } from "../../client/src/api/events-api.ts";
import type { Runtime } from "../../client/src/engine/runtime.ts";
import type { AsyncWorkloadFunction } from "../../client/src/workload/async-workload.ts";
import { startHost, startStack, type Host, type Stack } from "../helpers/stack.ts";

// Random, and long enough for the API's key policy (client/src/api/auth.ts).
export const API_KEY = `test-key-current-${randomBytes(16).toString("hex")}`;
export const PREVIOUS_API_KEY = `test-key-previous-${randomBytes(16).toString("hex")}`;

export interface ServedApi {
  /** The site's origin. */
  url: string;
  /** Calls `${basePath}${path}`; `body` is sent as JSON unless it is a string. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: ApiBody; headers: Headers }>;
  close(): Promise<void>;
}

// Responses are JSON objects; tests read the fields they assert on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiBody = any;

/** `apiKeys: "env"` reads them from AWL_API_KEY, as the injected function does. */
export async function serveApi(
  runtime: Runtime,
  apiKeys: string[] | "env" = [API_KEY, PREVIOUS_API_KEY],
): Promise<ServedApi> {
  const api = createEventsApi({ runtime, ...(apiKeys === "env" ? {} : { apiKeys }) });
  let url = "";
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ hostname: "127.0.0.1", port: 0, fetch: api }, (info) => {
      url = `http://127.0.0.1:${info.port}`;
      resolve(s);
    });
  });
  return {
    url,
    async call(method, path, { body, key = API_KEY, headers = {} } = {}) {
      const response = await fetch(`${url}${DEFAULT_API_BASE_PATH}${path}`, {
        method,
        headers: {
          ...(key === null ? {} : { authorization: `Bearer ${key}` }),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        headers: response.headers,
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ApiSite {
  stack: Stack;
  host: Host;
  api: ServedApi;
  close(): Promise<void>;
}

/** A whole local site for tests: the stack, a host for the router and workloads, and the events API. */
export async function startApiSite(workloads: Record<string, AsyncWorkloadFunction>): Promise<ApiSite> {
  const stack = await startStack();
  const host = await startHost(stack, workloads);
  const api = await serveApi(host.runtime);
  return {
    stack,
    host,
    api,
    async close() {
      await api.close();
      await host.close();
      await stack.close();
    },
  };
}
