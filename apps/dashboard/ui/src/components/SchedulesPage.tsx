/** Home: every schedule, live, with a banner for those failing again and again. */
import { useMemo, useState } from 'react';
import { useCanEdit, useNow, useScheduleList } from '../hooks';
import { Link } from '../router';
import type { Schedule } from '../types';
import { COLUMNS, ScheduleRow } from './ScheduleRow';

const FAILING_AT = 3;

function matches(s: Schedule, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  return [s.key, s.name, s.group, s.handler].some((v) => v?.toLowerCase().includes(q));
}

export function SchedulesPage() {
  const { schedules, total, error, running, replace } = useScheduleList();
  const canEdit = useCanEdit();
  const now = useNow();
  const [filter, setFilter] = useState('');
  const failing = useMemo(
    () => (schedules ?? []).filter((s) => s.consecutiveFailures >= FAILING_AT),
    [schedules],
  );
  const shown = (schedules ?? []).filter((s) => matches(s, filter));

  return (
    <main className="page">
      <div className="page-head">
        <h1>Schedules</h1>
        {schedules && (
          <span className="muted" data-testid="schedule-count">
            {total} {total === 1 ? 'schedule' : 'schedules'}
            {running.size > 0 && ` · ${running.size} running`}
          </span>
        )}
        <input
          type="search"
          className="filter"
          placeholder="Filter by key, name, group, handler"
          aria-label="Filter schedules"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      {failing.length > 0 && <FailureBanner failing={failing} />}
      {error && (
        <p className="error banner" role="alert">
          Could not load the schedules: {error}
        </p>
      )}
      {!schedules && !error && <p className="muted">Loading…</p>}
      {schedules && (
        <table className="schedules" data-testid="schedules-table">
          <thead>
            <tr>
              <th>Schedule</th>
              <th>Group</th>
              <th>Handler</th>
              <th>Frequency</th>
              <th>Status</th>
              <th>Last run</th>
              <th>Next run</th>
              <th className="num" title="Consecutive failures">
                Fails
              </th>
              <th>{canEdit ? 'Actions' : ''}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <ScheduleRow
                key={s.id}
                schedule={s}
                running={running.has(s.key)}
                now={now}
                canEdit={canEdit}
                onChange={replace}
              />
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={COLUMNS} className="empty">
                  {schedules.length === 0
                    ? 'No schedules yet: sync a file with `pnpm fleet sync <file>`.'
                    : 'No schedule matches the filter.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {schedules && total > schedules.length && (
        <p className="muted small">
          Showing the first {schedules.length} of {total}; use the filter or the API for the rest.
        </p>
      )}
    </main>
  );
}

function FailureBanner({ failing }: { failing: Schedule[] }) {
  return (
    <div className="banner warning" role="alert" data-testid="failure-banner">
      <strong>
        {failing.length === 1
          ? '1 schedule is failing repeatedly'
          : `${failing.length} schedules are failing repeatedly`}
        :
      </strong>{' '}
      {failing.map((s, i) => (
        <span key={s.id}>
          {i > 0 && ', '}
          <Link href={`/schedules/${encodeURIComponent(s.key)}`}>{s.key}</Link> (
          {s.consecutiveFailures} in a row)
        </span>
      ))}
    </div>
  );
}
