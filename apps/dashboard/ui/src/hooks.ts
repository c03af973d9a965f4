/** State shared by the pages: the clock for relative times, the live schedule list, the session. */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { api, describeError } from './api';
import { useLiveState, useRunEvents } from './live';
import type { Schedule, Session } from './types';

/** Date.now(), refreshed every `everyMs` so relative times move. */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

export const SessionContext = createContext<Session | null>(null);

/** Whether the signed-in role may change things (viewers may not). */
export function useCanEdit(): boolean {
  return useContext(SessionContext)?.role === 'operator';
}

/** Calls `refetch(key)` once per key per burst of events, `delayMs` after the first. */
function useCoalesced(refetch: (key: string) => void, delayMs = 250) {
  const pending = useRef(new Map<string, number>());
  useEffect(() => {
    const timers = pending.current;
    return () => timers.forEach((timer) => window.clearTimeout(timer));
  }, []);
  return useCallback(
    (key: string) => {
      if (pending.current.has(key)) return;
      const timer = window.setTimeout(() => {
        pending.current.delete(key);
        refetch(key);
      }, delayMs);
      pending.current.set(key, timer);
    },
    [refetch, delayMs],
  );
}

const REFRESH_MS = 30_000;
const NEXT_SLOT_MS = 2_000;

export interface ScheduleList {
  schedules: Schedule[] | null;
  total: number;
  error: string | null;
  /** Keys with a run started and not yet finished, as the event stream tells. */
  running: ReadonlySet<string>;
  /** Puts a schedule an action answered with in place of the stored one. */
  replace(schedule: Schedule): void;
}

/**
 * Every schedule, kept current: a run event patches its row at once (status,
 * last run) and then reloads that schedule for what the worker wrote (failure
 * streak, next slot); the whole list reloads every 30 s as a safety net.
 */
export function useScheduleList(): ScheduleList {
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState<ReadonlySet<string>>(new Set());

  const put = useCallback((schedule: Schedule) => {
    setSchedules((all) => all?.map((s) => (s.id === schedule.id ? schedule : s)) ?? all);
  }, []);
  // After enabling or a new cadence the next slot is computed on the scheduler's next poll: look again once.
  const replace = useCallback(
    (schedule: Schedule) => {
      put(schedule);
      if (schedule.state === 'enabled' && schedule.nextRunAt === null) {
        window.setTimeout(
          () => api.schedule(schedule.key).then(put, () => undefined),
          NEXT_SLOT_MS,
        );
      }
    },
    [put],
  );

  const load = useCallback(() => {
    api.schedules().then(
      (page) => {
        setSchedules(page.items);
        setTotal(page.total);
        setError(null);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, []);

  useEffect(() => {
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const known = useRef<Schedule[] | null>(null);
  known.current = schedules;
  const reloadOne = useCoalesced(
    useCallback(
      (key: string) => {
        // A schedule created since the list loaded: reload the whole list.
        if (!known.current?.some((s) => s.key === key)) return load();
        api.schedule(key).then(put, () => undefined);
      },
      [put, load],
    ),
  );

  // Events missed while the stream was down cannot end a "running": start afresh on each (re)connect.
  const live = useLiveState();
  useEffect(() => {
    if (live === 'open') setRunning(new Set());
  }, [live]);

  useRunEvents((event) => {
    const key = event.scheduleKey;
    // What the server shows as a schedule's last outcome: a success or a
    // failure (a skipped or cancelled run is not one), unless its cadence is invalid.
    const outcome =
      event.type === 'run.finished' && (event.status === 'succeeded' || event.status === 'failed');
    setRunning((keys) => {
      const next = new Set(keys);
      if (event.type === 'run.started') next.add(key);
      else next.delete(key);
      return next;
    });
    if (outcome) {
      setSchedules(
        (all) =>
          all?.map((s) =>
            s.key === key && s.lastStatus !== 'invalid'
              ? {
                  ...s,
                  lastStatus: event.status,
                  lastRunAt: event.finishedAt ?? event.at,
                  lastError: event.error ?? null,
                }
              : s,
          ) ?? all,
      );
    }
    reloadOne(key);
  });

  return { schedules, total, error, running, replace };
}
