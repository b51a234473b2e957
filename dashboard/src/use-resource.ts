/**
 * Loads one thing from the events API and reloads it when its key or the refresh tick changes. The
 * last data stays on screen while a reload is under way and when one fails (with the error beside
 * it), so auto-refresh never blanks the page; an answer that arrives after a newer request is dropped.
 */
import { useEffect, useState } from "react";

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
}

export function useResource<T>(load: () => Promise<T>, key: string, tick: number): Resource<T> {
  const [state, setState] = useState<Resource<T> & { key: string }>({
    data: undefined,
    error: undefined,
    loading: true,
    key,
  });
  useEffect(() => {
    let current = true;
    setState((previous) => ({
      // Another key is another thing: do not show the previous event's runs under this one's name.
      data: previous.key === key ? previous.data : undefined,
      error: previous.key === key ? previous.error : undefined,
      loading: true,
      key,
    }));
    load().then(
      (data) => current && setState({ data, error: undefined, loading: false, key }),
      (error: unknown) =>
        current &&
        setState((previous) => ({
          ...previous,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
        })),
    );
    return () => {
      current = false;
    };
    // Not `load`: it is a new closure each render, and `key` names what it loads.
  }, [key, tick]);
  return state;
}
