import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';

/** The last event the live stream delivered. */
export interface LiveEvent {
  incidentId: string;
  type: string;
  seq: number;
  at: string;
}

/** Live updates: a counter that moves on every event, the last event, and the stream's state. */
export interface Live {
  version: number;
  last?: LiveEvent;
  connected: boolean;
}

/** Live updates for the whole app (one EventSource). */
export const LiveContext = createContext<Live>({ version: 0, connected: false });

/** The app's live updates. */
export function useLive(): Live {
  return useContext(LiveContext);
}

/**
 * Opens `/api/stream` (server-sent events) while `enabled`. Bursts of events (a playbook step
 * appends several at once) are folded into one refresh: the version moves at most every 250 ms.
 * EventSource reconnects by itself after a dropped connection.
 */
export function useEventStream(enabled: boolean): Live {
  const [live, setLive] = useState<Live>({ version: 0, connected: false });
  const pending = useRef<{ timer?: number; last?: LiveEvent }>({});
  useEffect(() => {
    if (!enabled) return undefined;
    const source = new EventSource('/api/stream', { withCredentials: true });
    const flush = (): void => {
      const last = pending.current.last;
      pending.current = {};
      setLive((prev) => ({ version: prev.version + 1, connected: true, ...(last ? { last } : {}) }));
    };
    const onIncident = (message: MessageEvent<string>): void => {
      try {
        pending.current.last = JSON.parse(message.data) as LiveEvent;
      } catch {
        // A malformed event still means something changed: refresh without it.
      }
      pending.current.timer ??= window.setTimeout(flush, 250);
    };
    source.addEventListener('incident', onIncident);
    source.onopen = () => setLive((prev) => ({ ...prev, connected: true }));
    source.onerror = () => setLive((prev) => ({ ...prev, connected: false }));
    return () => {
      window.clearTimeout(pending.current.timer);
      pending.current = {};
      source.close();
    };
  }, [enabled]);
  return live;
}

/** The current time, moving every `everyMs` (for countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * Loads `load()` now and again whenever one of `deps` changes (the live version among them),
 * keeping the previous data on screen while a refresh runs.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data }),
      (e: unknown) => current && setState((prev) => ({ ...prev, error: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      current = false;
    };
  }, [...deps, nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
