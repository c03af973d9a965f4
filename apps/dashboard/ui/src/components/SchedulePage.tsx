/** One schedule: its definition and state, its actions, and its run history (live). */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, api, describeError } from '../api';
import { duration, rawCadence, scheduleStatus } from '../format';
import { useCanEdit, useNow } from '../hooks';
import { useRunEvents } from '../live';
import { Link } from '../router';
import type { Schedule } from '../types';
import { RunHistory } from './RunHistory';
import { ActionButtons, ActionPanel, useActions } from './ScheduleActions';
import { StatusBadge } from './StatusBadge';
import { Time } from './Time';

export function SchedulePage({ scheduleKey }: { scheduleKey: string }) {
  const [schedule, setSchedule] = useState<Schedule | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  const load = useCallback(() => {
    api.schedule(scheduleKey).then(
      (s) => {
        setSchedule(s);
        setError(null);
      },
      (err: unknown) =>
        setError(
          err instanceof ApiError && err.status === 404
            ? `There is no schedule "${scheduleKey}".`
            : describeError(err),
        ),
    );
  }, [scheduleKey]);
  useEffect(load, [load]);

  // After enabling or a new cadence the scheduler computes the next slot on its next poll.
  const changed = useCallback(
    (s: Schedule) => {
      setSchedule(s);
      if (s.state === 'enabled' && s.nextRunAt === null) window.setTimeout(load, 2_000);
    },
    [load],
  );

  useRunEvents((event) => {
    if (event.scheduleKey !== scheduleKey) return;
    setRunning(event.type === 'run.started');
    load();
  });

  return (
    <main className="page">
      <p className="crumbs">
        <Link href="/">Schedules</Link> / <span className="mono">{scheduleKey}</span>
      </p>
      {error && (
        <p className="error banner" role="alert">
          {error}
        </p>
      )}
      {schedule && <Details schedule={schedule} running={running} onChange={changed} />}
      {!error && <RunHistory scheduleKey={scheduleKey} />}
    </main>
  );
}

function Details(props: { schedule: Schedule; running: boolean; onChange(s: Schedule): void }) {
  const s = props.schedule;
  const now = useNow();
  const canEdit = useCanEdit();
  const actions = useActions(s, props.onChange);
  const status = scheduleStatus(s, props.running);
  return (
    <section className="card" data-testid="schedule-details" data-key={s.key}>
      <div className="card-head">
        <div>
          <h1>{s.name ?? s.key}</h1>
          {s.description && <p className="muted">{s.description}</p>}
        </div>
        <StatusBadge status={status} title={s.lastError ?? undefined} />
      </div>
      {canEdit && (
        <div className="card-actions">
          <ActionButtons actions={actions} />
          <ActionPanel actions={actions} />
        </div>
      )}
      {s.consecutiveFailures >= 3 && (
        <div className="banner warning" role="alert" data-testid="failure-banner">
          <strong>{s.consecutiveFailures} failures in a row.</strong> Last error: {s.lastError}
        </div>
      )}
      <dl className="facts">
        <Fact label="Key">
          <span className="mono">{s.key}</span>
        </Fact>
        <Fact label="Group">{s.group ?? '—'}</Fact>
        <Fact label="Handler">
          <span className="mono">{s.handler}</span>
        </Fact>
        <Fact label="Frequency">
          <span title={rawCadence(s)} data-testid="frequency">
            {s.frequency}
          </span>
          <span className="muted small block mono">{rawCadence(s)}</span>
        </Fact>
        <Fact label="State">
          {s.state}
          {s.pauseNote && ` — ${s.pauseNote}`}
          {s.pausedUntil && ' until '}
          {s.pausedUntil && <Time iso={s.pausedUntil} now={now} />}
          {s.disabledReason && ` (${s.disabledReason})`}
        </Fact>
        <Fact label="Next run">
          {s.state === 'enabled' ? <Time iso={s.nextRunAt} now={now} testId="next-run" /> : '—'}
        </Fact>
        <Fact label="Last run">
          <Time iso={s.lastRunAt} now={now} past testId="last-run" />
          {s.lastStatus && ` · ${s.lastStatus}`}
        </Fact>
        <Fact label="Failures in a row">{s.consecutiveFailures}</Fact>
        {s.lastError && (
          <Fact label="Last error" wide>
            <span className="error-text">{s.lastError}</span>
          </Fact>
        )}
        <Fact label="Attempts">
          {s.maxAttempts} (backoff {duration(s.backoffMs)}
          {s.timeoutMs !== null && `, timeout ${duration(s.timeoutMs)}`})
        </Fact>
        <Fact label="Policies">
          catch-up {s.catchupPolicy}, overlap {s.overlapPolicy}
          {s.jitterSeconds > 0 && `, jitter ${s.jitterSeconds} s`}
        </Fact>
        <Fact label="Scheduled runs so far">
          {s.runCount}
          {s.maxRuns !== null && ` of ${s.maxRuns}`}
        </Fact>
        <Fact label="Payload" wide>
          <code className="payload">{JSON.stringify(s.payload)}</code>
        </Fact>
      </dl>
    </section>
  );
}

function Fact({ label, wide, children }: { label: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={wide ? 'fact wide' : 'fact'}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
