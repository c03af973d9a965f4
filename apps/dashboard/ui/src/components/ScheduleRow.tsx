/** One schedule in the table (a card on narrow screens), with its actions. */
import { Fragment } from 'react';
import { clip, rawCadence, scheduleStatus } from '../format';
import { Link } from '../router';
import type { Schedule } from '../types';
import { ActionButtons, ActionPanel, useActions } from './ScheduleActions';
import { StatusBadge } from './StatusBadge';
import { Time } from './Time';

export const COLUMNS = 9;

function statusTitle(s: Schedule): string | undefined {
  if (s.state === 'paused') return s.pauseNote ? `Paused: ${s.pauseNote}` : 'Paused';
  if (s.state === 'disabled' && s.disabledReason)
    return `Disabled by the fleet: ${s.disabledReason}`;
  return s.lastError ?? undefined;
}

export function ScheduleRow(props: {
  schedule: Schedule;
  running: boolean;
  now: number;
  canEdit: boolean;
  onChange(schedule: Schedule): void;
}) {
  const { schedule: s, now } = props;
  const actions = useActions(s, props.onChange);
  const status = scheduleStatus(s, props.running);
  const failing = s.consecutiveFailures >= 3;
  return (
    <Fragment>
      <tr
        className={`schedule-row${actions.panel ? ' open' : ''}${failing ? ' failing' : ''}`}
        data-testid="schedule-row"
        data-key={s.key}
        data-status={status}
        data-enabled={String(s.enabled)}
      >
        <td data-label="Schedule" className="name-cell">
          <Link href={`/schedules/${encodeURIComponent(s.key)}`} data-testid="schedule-link">
            {s.name ?? s.key}
          </Link>
          <span className="key mono">{s.key}</span>
        </td>
        <td data-label="Group">{s.group ?? <span className="muted">—</span>}</td>
        <td data-label="Handler" className="mono small">
          {s.handler}
        </td>
        <td data-label="Frequency" title={rawCadence(s)} data-testid="frequency">
          {s.frequency}
        </td>
        <td data-label="Status">
          <StatusBadge status={status} title={statusTitle(s)} />
          {s.state === 'paused' && s.pauseNote && (
            <span className="note small" title={s.pauseNote}>
              {clip(s.pauseNote, 40)}
            </span>
          )}
        </td>
        <td data-label="Last run">
          <Time iso={s.lastRunAt} now={now} past testId="last-run" />
        </td>
        <td data-label="Next run">
          {s.state === 'enabled' && !s.nextRunAt ? (
            <span className="muted small" title="The scheduler computes it on its next poll">
              next poll
            </span>
          ) : s.state === 'enabled' ? (
            <Time iso={s.nextRunAt} now={now} testId="next-run" />
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td data-label="Failures" className="num" data-testid="failures">
          {s.consecutiveFailures > 0 ? (
            <span className={failing ? 'failures bad' : 'failures'} title={s.lastError ?? ''}>
              {s.consecutiveFailures}
            </span>
          ) : (
            <span className="muted">0</span>
          )}
        </td>
        <td data-label="Actions" className="actions-cell">
          {props.canEdit ? (
            <ActionButtons actions={actions} />
          ) : (
            <span className="muted small">read-only</span>
          )}
        </td>
      </tr>
      {props.canEdit && actions.panel && (
        <tr className="panel-row" data-testid="panel-row" data-key={s.key}>
          <td colSpan={COLUMNS}>
            <ActionPanel actions={actions} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}
