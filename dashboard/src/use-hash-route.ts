/**
 * The current route, following `location.hash` (links, Back, typed URLs), and a `navigate` that
 * writes it. Only the hash changes, so the host page (awl dev's or the Netlify UI's) never reloads.
 */
import { useCallback, useEffect, useState } from "react";
import { formatRoute, parseRoute, type Route } from "./hash-route.ts";

export function useHashRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  const navigate = useCallback((next: Route) => {
    location.hash = formatRoute(next);
  }, []);
  return [route, navigate];
}
