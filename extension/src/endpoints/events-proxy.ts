/**
 * `/api/events/*`: the configuration UI's way to the site's own events API. It forwards an
 * allow-listed path (`stats`, `events`, `events/retry`, `events/cancel`, `events/rerun`, `events/<id>`) to
 * `<site URL>/awl/api/…` with the key the site sends with (apiKeysFromEnv), the same method, query
 * string and JSON body, and answers with the
 * site's status and body. The key is read on the server and never reaches the browser.
 */
import { EVENT_ID_PATTERN } from "@awl/client/api-client";
import { ApiError, apiKeysFromEnv } from "@awl/client/internal";
import { API_BASE_PATH } from "../paths.ts";
import { API_KEY_VARIABLE } from "../install/on-install.ts";
import { readEnvironment, siteUrlOf, valueOf, type SiteScope } from "./netlify.ts";

/** `events/<id>` takes an event id as the engine makes them (never a "." that could climb the path). */
const EVENT_PATH = new RegExp(`^events/${EVENT_ID_PATTERN.source.slice(1)}`);
const ALLOWED = [/^stats$/, /^events$/, /^events\/retry$/, /^events\/cancel$/, /^events\/rerun$/, EVENT_PATH];
export const PROXY_TIMEOUT_MS = 20_000;

export const isForwarded = (rest: string): boolean => ALLOWED.some((pattern) => pattern.test(rest));

export async function proxyEvents(
  scope: SiteScope,
  request: Request,
  rest: string,
  fetchImpl: typeof fetch,
): Promise<Response> {
  if (!isForwarded(rest)) throw new ApiError(404, `no events API route ${rest} to forward`);
  const [env, siteUrl] = await Promise.all([readEnvironment(scope), siteUrlOf(scope)]);
  // The key a site sends with: Netlify's AWL_API_KEY_P<n> (highest n), else AWL_API_KEY's first.
  const key = apiKeysFromEnv(
    Object.fromEntries([...env.keys()].map((name) => [name, valueOf(env, name)])),
  )[0];
  if (!key) throw new ApiError(409, `this site has no ${API_KEY_VARIABLE} yet: create one under API keys`);
  if (!siteUrl) throw new ApiError(409, "this site has no URL yet: deploy it first");
  const target = `${siteUrl}${API_BASE_PATH}/${rest}${new URL(request.url).search}`;
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const body = hasBody ? await request.text() : "";
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(target, {
      method: request.method,
      headers: {
        authorization: `Bearer ${key}`,
        accept: "application/json",
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(PROXY_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : "";
    throw new ApiError(502, `could not reach the site's events API at ${siteUrl}${API_BASE_PATH}: ${reason}`);
  }
  if (text !== "") {
    try {
      JSON.parse(text);
    } catch {
      throw new ApiError(
        502,
        `the site's events API at ${siteUrl}${API_BASE_PATH} answered ${response.status} without JSON: is the extension's API deployed on the site?`,
      );
    }
  }
  return new Response(text === "" ? null : text, {
    status: response.status,
    headers: { "content-type": "application/json" },
  });
}
