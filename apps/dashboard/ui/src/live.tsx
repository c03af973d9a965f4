/**
 * One EventSource on /api/events for the whole app (the session cookie
 * authenticates it); components subscribe to its run events. The browser
 * reconnects by itself after a network error; a refused stream (signed out)
 * is retried after checking the session, which sends a signed-out browser to
 * the sign-in page.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from './api';
import type { RunEvent } from './types';

export type LiveState = 'connecting' | 'open' | 'closed';
type Listener = (event: RunEvent) => void;

interface Live {
  state: LiveState;
  subscribe(listener: Listener): () => void;
}

const LiveContext = createContext<Live>({ state: 'closed', subscribe: () => () => undefined });

const RETRY_MS = 5_000;

export function LiveEvents({ children }: { children: ReactNode }) {
  const [state, setState] = useState<LiveState>('connecting');
  const listeners = useRef(new Set<Listener>());
  const [live] = useState(() => ({
    subscribe(listener: Listener) {
      listeners.current.add(listener);
      return () => void listeners.current.delete(listener);
    },
  }));

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: number | undefined;
    let stopped = false;
    const connect = () => {
      setState('connecting');
      source = new EventSource('/api/events', { withCredentials: true });
      source.onopen = () => setState('open');
      source.onmessage = (message: MessageEvent<string>) => {
        let event: RunEvent;
        try {
          event = JSON.parse(message.data) as RunEvent;
        } catch {
          return;
        }
        for (const listener of listeners.current) listener(event);
      };
      source.onerror = () => {
        if (source?.readyState !== EventSource.CLOSED) return setState('connecting');
        setState('closed');
        retry = window.setTimeout(() => {
          // A 401 here redirects to the sign-in page; otherwise try the stream again.
          api.session().then(
            () => !stopped && connect(),
            () => !stopped && connect(),
          );
        }, RETRY_MS);
      };
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      source?.close();
    };
  }, []);

  return <LiveContext.Provider value={{ state, ...live }}>{children}</LiveContext.Provider>;
}

export const useLiveState = () => useContext(LiveContext).state;

/** Calls `onEvent` (the latest one given) for each run event. */
export function useRunEvents(onEvent: Listener): void {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef(onEvent);
  latest.current = onEvent;
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}
