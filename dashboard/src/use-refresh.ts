/**
 * When the dashboard reloads its data: on demand (the Refresh button), every `intervalMs` while
 * auto-refresh is on and the page is visible, and after every action. Views depend on `tick`, so a
 * refresh re-fetches what is shown without reloading the page or losing filters and selection.
 */
import { useCallback, useEffect, useState } from "react";

export interface Refresh {
  tick: number;
  refresh: () => void;
  auto: boolean;
  setAuto: (on: boolean) => void;
}

export function useRefresh(intervalMs: number): Refresh {
  const [tick, setTick] = useState(0);
  const [auto, setAuto] = useState(true);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    if (!auto || intervalMs <= 0) return;
    const timer = setInterval(() => {
      // A hidden tab would poll the site's API for nobody.
      if (document.visibilityState === "visible") refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [auto, intervalMs, refresh]);
  return { tick, refresh, auto, setAuto };
}
