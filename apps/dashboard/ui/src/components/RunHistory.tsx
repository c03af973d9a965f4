/**
 * A schedule's runs, newest slot first. Live: a run event updates its row at
 * once (or adds the run) and then reloads the page for what was recorded.
 * A run expands into its attempts; each links to its job in Bull Board.
 */
import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { api, boardJobUrl, describeError } from '../api';
import { absoluteTime, clip, durationBetween } from '../format';
import { useNow } from '../hooks';
import { useRunEvents } from '../live';
import type { Run } from '../types';
import { RunAttempts } from './RunAttempts';
import { StatusBadge } from './StatusBadge';
import { Time } from './Time';

const PAGE = 25;
const RELOAD_DELAY_MS = 250;

/** A run only the event stream has told about so far. */
function runFromEvent(
  key: string,
  e: { runId: string; status: string; at: string; attempt: number },
): Run {
  return {
    id: e.runId,
    scheduleId: '',
    scheduleKey: key,
    scheduledFor: e.at,
    trigger: '',
    status: e.status,
    attempts: e.attempt,
    claimedBy: null,
    enqueuedAt: e.at,
    startedAt: e.at,
    finishedAt: null,
    reason: null,
    result: null,
    error: null,
    createdAt: e.at,
  };
}

export function RunHistory({ scheduleKey }: { scheduleKey: string }) {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const loaded = useRef(PAGE);
  const reloadTimer = useRef<number | undefined>(undefined);
  const now = useNow();

  const reload = useCallback(() => {
    api.runs(scheduleKey, 0, Math.min(500, loaded.current)).then(
      (page) => {
        setRuns(page.items);
        setTotal(page.total);
        setError(null);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, [scheduleKey]);

  useEffect(() => {
    loaded.current = PAGE;
    reload();
    return () => window.clearTimeout(reloadTimer.current);
  }, [reload]);

  useRunEvents((event) => {
    if (event.scheduleKey !== scheduleKey) return;
    if (runs && !runs.some((r) => r.id === event.runId)) setTotal((n) => n + 1);
    setRuns((all) => {
      if (!all) return all;
      const known = all.some((r) => r.id === event.runId);
      if (!known) return [runFromEvent(scheduleKey, event), ...all];
      return all.map((r) =>
        r.id === event.runId
          ? {
              ...r,
              status: event.status,
              attempts: Math.max(r.attempts, event.attempt),
              error: event.error ?? r.error,
              finishedAt: event.finishedAt ?? r.finishedAt,
            }
          : r,
      );
    });
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(reload, RELOAD_DELAY_MS);
  });

  function more() {
    if (!runs) return;
    api.runs(scheduleKey, runs.length, PAGE).then(
      (page) => {
        loaded.current = runs.length + page.items.length;
        setRuns((all) => [
          ...(all ?? []),
          ...page.items.filter((r) => !all?.some((a) => a.id === r.id)),
        ]);
        setTotal(page.total);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }

  const toggle = (id: string) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <section className="card">
      <div className="card-head">
        <h2>Run history</h2>
        {runs && (
          <span className="muted">
            {total} {total === 1 ? 'run' : 'runs'}
          </span>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!runs && !error && <p className="muted">Loading…</p>}
      {runs && runs.length === 0 && (
        <p className="muted" data-testid="no-runs">
          No runs yet.
        </p>
      )}
      {runs && runs.length > 0 && (
        <table className="runs" data-testid="runs-table">
          <thead>
            <tr>
              <th aria-label="Expand" />
              <th>Slot</th>
              <th>Trigger</th>
              <th>Status</th>
              <th className="num">Attempts</th>
              <th>Duration</th>
              <th>Error or reason</th>
              <th>Job</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => {
              const open = expanded.has(run.id);
              const note = run.error ?? run.reason;
              return (
                <Fragment key={run.id}>
                  <tr
                    className="run-row"
                    data-testid="run-row"
                    data-run-id={run.id}
                    data-status={run.status}
                  >
                    <td data-label="Details" className="expander-cell">
                      <button
                        type="button"
                        className="expander"
                        aria-expanded={open}
                        aria-label={open ? 'Hide attempts' : 'Show attempts'}
                        data-testid="expand-run"
                        onClick={() => toggle(run.id)}
                      >
                        {open ? '▾' : '▸'}
                      </button>
                    </td>
                    <td data-label="Slot">
                      <Time iso={run.scheduledFor} now={now} past />
                      <span className="muted small block">{absoluteTime(run.scheduledFor)}</span>
                    </td>
                    <td data-label="Trigger">{run.trigger || '…'}</td>
                    <td data-label="Status">
                      <StatusBadge status={run.status} />
                    </td>
                    <td data-label="Attempts" className="num">
                      {run.attempts}
                    </td>
                    <td data-label="Duration">{durationBetween(run.startedAt, run.finishedAt)}</td>
                    <td
                      data-label="Error or reason"
                      className={run.error ? 'error-text' : 'muted'}
                      title={note ?? ''}
                    >
                      {note ? clip(note) : '—'}
                    </td>
                    <td data-label="Job">
                      {run.enqueuedAt ? (
                        <a
                          href={boardJobUrl(run.id)}
                          data-testid="board-link"
                          title="This run's job in Bull Board (finished jobs are trimmed after a while)"
                        >
                          Bull Board ↗
                        </a>
                      ) : (
                        <span className="muted small">not queued</span>
                      )}
                    </td>
                  </tr>
                  {open && (
                    <tr className="attempts-row">
                      <td colSpan={8}>
                        <RunAttempts run={run} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      {runs && runs.length < total && (
        <button type="button" className="more" onClick={more}>
          Show older runs
        </button>
      )}
    </section>
  );
}
