/** Human output for the service's results: schedules, runs, previews, backfills. */
import type { RunAttempt } from '@cronfleet/db';
import type {
  BackfillResult,
  KeyedRun,
  PreviewResult,
  RunDetail,
  RunNowResult,
  ScheduleView,
} from '@cronfleet/service';
import { countLine, details, duration, plural, table, time, type Column } from './format.js';

const json = (value: unknown) =>
  value === null || value === undefined ? null : JSON.stringify(value);

function stateText(s: ScheduleView): string {
  if (s.state === 'disabled')
    return s.disabledReason ? `disabled (${s.disabledReason})` : 'disabled';
  if (s.state === 'paused') return s.pausedUntil ? `paused until ${time(s.pausedUntil)}` : 'paused';
  return 'enabled';
}

function lastStatus(s: ScheduleView): string | null {
  if (!s.lastStatus) return null;
  return s.consecutiveFailures > 1
    ? `${s.lastStatus} (${s.consecutiveFailures} in a row)`
    : s.lastStatus;
}

function nextRun(s: ScheduleView): string | null {
  if (s.state !== 'enabled') return null;
  return time(s.nextRunAt) ?? 'at the next poll';
}

export function scheduleTable(
  result: { items: ScheduleView[]; total: number },
  offset = 0,
): string[] {
  const columns: Column<ScheduleView>[] = [
    { header: 'key', value: (s) => s.key, max: 40 },
    ...(result.items.some((s) => s.group)
      ? [{ header: 'group', value: (s: ScheduleView) => s.group, max: 20 }]
      : []),
    { header: 'state', value: stateText },
    { header: 'frequency', value: (s) => s.frequency, max: 40 },
    { header: 'handler', value: (s) => s.handler, max: 30 },
    { header: 'next run', value: nextRun },
    { header: 'last run', value: (s) => time(s.lastRunAt) },
    { header: 'last status', value: lastStatus },
  ];
  const count = countLine(result.items.length, result.total, 'schedule', offset);
  return result.items.length === 0 ? [count] : [...table(result.items, columns), '', count];
}

export function scheduleDetails(s: ScheduleView): string[] {
  return details([
    ['key', s.key],
    ['id', s.id],
    ['name', s.name],
    ['description', s.description],
    ['group', s.group],
    ['handler', s.handler],
    ['frequency', s.frequency],
    ['cron', s.cronExpression],
    ['interval', s.intervalSeconds === null ? null : `${s.intervalSeconds} s`],
    ['timezone', s.timezone],
    ['payload', json(s.payload)],
    ['state', stateText(s)],
    ['paused since', time(s.pausedAt)],
    ['pause note', s.pauseNote],
    ['next run', nextRun(s)],
    ['last run', time(s.lastRunAt)],
    ['last status', lastStatus(s)],
    ['last error', s.lastError],
    ['runs so far', s.runCount],
    ['max attempts', s.maxAttempts],
    ['backoff', duration(s.backoffMs)],
    ['timeout', duration(s.timeoutMs)],
    ['catch-up', s.catchupPolicy === 'all' ? `all (at most ${s.maxCatchup})` : s.catchupPolicy],
    ['overlap', s.overlapPolicy],
    ['starts at', time(s.startsAt)],
    ['ends at', time(s.endsAt)],
    ['max runs', s.maxRuns],
    ['pause after', s.maxConsecutiveFailures && `${s.maxConsecutiveFailures} failures in a row`],
    ['jitter', s.jitterSeconds > 0 ? `${s.jitterSeconds} s` : null],
    ['created', time(s.createdAt)],
    ['updated', time(s.updatedAt)],
  ]);
}

/** `created nightly: daily at 09:00 (Europe/London), handler noop, enabled`. */
export function scheduleSummary(verb: string, s: ScheduleView): string[] {
  return [`${verb} ${s.key}: ${s.frequency}, handler ${s.handler}, ${stateText(s)}`];
}

const runNote = (r: KeyedRun) => r.error ?? r.reason;

export function runTable(result: { items: KeyedRun[]; total: number }, offset = 0): string[] {
  const columns: Column<KeyedRun>[] = [
    { header: 'id', value: (r) => r.id },
    { header: 'schedule', value: (r) => r.scheduleKey, max: 30 },
    { header: 'slot', value: (r) => time(r.scheduledFor) },
    { header: 'trigger', value: (r) => r.trigger },
    { header: 'status', value: (r) => r.status },
    { header: 'attempts', value: (r) => r.attempts, align: 'right' },
    { header: 'finished', value: (r) => time(r.finishedAt) },
    { header: 'note', value: runNote, max: 50 },
  ];
  const count = countLine(result.items.length, result.total, 'run', offset);
  return result.items.length === 0 ? [count] : [...table(result.items, columns), '', count];
}

export function runDetails({ run, attempts }: RunDetail): string[] {
  const lines = details([
    ['id', run.id],
    ['schedule', run.scheduleKey],
    ['slot', time(run.scheduledFor)],
    ['trigger', run.trigger],
    ['status', run.status],
    ['reason', run.reason],
    ['claimed', run.claimedBy && `${time(run.claimedAt)} by ${run.claimedBy}`],
    ['enqueued', time(run.enqueuedAt)],
    ['started', time(run.startedAt)],
    ['finished', time(run.finishedAt)],
    ['result', json(run.result)],
    ['error', run.error],
  ]);
  if (attempts.length === 0) return [...lines, '', 'no attempts yet'];
  const columns: Column<RunAttempt>[] = [
    { header: '#', value: (a) => a.attempt, align: 'right' },
    { header: 'worker', value: (a) => a.workerId, max: 30 },
    { header: 'status', value: (a) => a.status },
    { header: 'started', value: (a) => time(a.startedAt) },
    { header: 'duration', value: (a) => duration(a.durationMs), align: 'right' },
    { header: 'error', value: (a) => a.error, max: 60 },
  ];
  return [...lines, '', `attempts (${attempts.length})`, ...table(attempts, columns)];
}

export function previewTable(result: PreviewResult): string[] {
  if (result.slots.length === 0) return [`no slots ahead (${result.timezone})`];
  return [
    `next ${result.slots.length} slots, local times in ${result.timezone}`,
    ...table(result.slots, [
      { header: 'at (utc)', value: (s) => time(s.at) },
      { header: 'local', value: (s) => s.local },
      { header: 'offset', value: (s) => s.offset },
      { header: 'note', value: (s) => s.dstChange },
    ]),
  ];
}

export function runNowLines(ref: string, r: RunNowResult): string[] {
  const lines = [
    r.status === 'skipped'
      ? `run ${r.run.id} of ${ref} skipped: ${r.reason ?? 'overlap'} (a run is in flight; --force runs anyway)`
      : r.status === 'pending'
        ? `run ${r.run.id} of ${ref} written but pending: ${r.reason ?? 'not queued'}`
        : `run ${r.run.id} of ${ref} queued`,
  ];
  if (r.cancelledRunIds.length > 0) {
    const runs = plural(r.cancelledRunIds.length, 'run');
    lines.push(`cancelled ${runs} in flight: ${r.cancelledRunIds.join(', ')}`);
  }
  return lines;
}

const SHOWN_SLOTS = 20;

export function backfillLines(ref: string, r: BackfillResult, dryRun: boolean): string[] {
  const runs = plural(r.slots.length, 'backfill run');
  const had = `${plural(r.existing, 'slot')} in the range already had runs`;
  const pending =
    r.slots.length > 0 && r.queued === false
      ? " (pending: the scheduler's relay will deliver them)"
      : '';
  const head = dryRun
    ? `dry run: would create ${runs} for ${ref}; ${had}`
    : `created ${runs} for ${ref}${pending}; ${had}`;
  const lines = [head, ...r.slots.slice(0, SHOWN_SLOTS).map((slot) => `  ${time(slot)}`)];
  if (r.slots.length > SHOWN_SLOTS) lines.push(`  … and ${r.slots.length - SHOWN_SLOTS} more`);
  if (r.truncated) lines.push('more slots in the range remain: raise --limit or backfill again');
  return lines;
}
