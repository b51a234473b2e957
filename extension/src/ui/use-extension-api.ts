/**
 * The SDK's authenticated fetch, made stable: `useNetlifyExtensionUIFetch()` returns a new function
 * on every render (it closes over the SDK's current context), so the clients built on it here are
 * created once and always call through the latest one.
 */
import { useNetlifyExtensionUIFetch } from "@netlify/sdk/ui/react";
import { useMemo, useRef } from "react";
import { EventsApiClient } from "@awl/client/api-client";
import { ExtensionApi, type FetchLike } from "./extension-api.ts";

/** Where the extension's endpoint proxies the site's events API (with the site's key). */
export const EVENTS_PROXY_BASE_PATH = "/api/events";

function useStableSdkFetch(): FetchLike {
  const sdkFetch = useNetlifyExtensionUIFetch();
  const latest = useRef(sdkFetch);
  latest.current = sdkFetch;
  return useMemo(() => (input: string, init?: RequestInit) => latest.current(input, init), []);
}

export function useExtensionApi(): ExtensionApi {
  const fetch = useStableSdkFetch();
  return useMemo(() => new ExtensionApi(fetch), [fetch]);
}

export function useEventsClient(): EventsApiClient {
  const fetch = useStableSdkFetch();
  return useMemo(
    () => new EventsApiClient({ siteUrl: window.location.origin, basePath: EVENTS_PROXY_BASE_PATH, fetch }),
    [fetch],
  );
}
