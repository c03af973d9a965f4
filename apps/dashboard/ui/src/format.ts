/** Times, durations and statuses as people read them. */
import type { Schedule } from './types';

const RELATIVE_UNITS: [limit: number, size: number, unit: string][] = [
  [60, 1, 's'],
  [3_600, 60, 'min'],
  [86_400, 3_600, 'h'],
  [Infinity, 86_400, 'd'],
];

/** "12 s ago", "in 5 min", "just now"; `past`: never in the future (clocks differ a little). */
export function relativeTime(iso: string | null, now: number, past = false): string {
  if (!iso) return '—';
  let seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (past) seconds = Math.min(seconds, 0);
  const abs = Math.abs(seconds);
  if (abs < 1) return past ? 'just now' : 'now';
  for (const [limit, size, unit] of RELATIVE_UNITS) {
    if (abs < limit) {
      const n = Math.floor(abs / size);
      return seconds < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return iso;
}

const absoluteFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

/** The instant in the browser's zone, e.g. "Nov 22, 2025, 09:00:10 UTC". */
export function absoluteTime(iso: string | null): string {
  return iso ? absoluteFormat.format(new Date(iso)) : '';
}

/** "850 ms", "2.1 s", "3 min 4 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function durationBetween(start: string | null, end: string | null): string {
  if (!start || !end) return '—';
  return duration(new Date(end).getTime() - new Date(start).getTime());
}

/** The stored cadence as written: the cron and its zone, or the interval in seconds. */
export function rawCadence(s: Pick<Schedule, 'cronExpression' | 'intervalSeconds' | 'timezone'>) {
  if (s.cronExpression !== null) return `cron "${s.cronExpression}" in ${s.timezone}`;
  if (s.intervalSeconds !== null) return `interval ${s.intervalSeconds} s`;
  return 'no cadence';
}

/** The badge tone for a run or schedule status. */
export type Tone = 'green' | 'red' | 'amber' | 'blue' | 'grey';

const TONES: Record<string, Tone> = {
  succeeded: 'green',
  failed: 'red',
  invalid: 'red',
  skipped: 'amber',
  retrying: 'amber',
  running: 'blue',
  queued: 'blue',
  pending: 'blue',
  paused: 'grey',
  disabled: 'grey',
  cancelled: 'grey',
};

export const toneOf = (status: string): Tone => TONES[status] ?? 'grey';

/** Run statuses after which nothing more happens to the run. */
export const FINAL_STATUSES = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

/** What a schedule's badge says: its state when it does not fire, else how its last run went. */
export function scheduleStatus(s: Schedule, running: boolean): string {
  if (s.state === 'disabled') return 'disabled';
  if (s.state === 'paused') return 'paused';
  if (running) return 'running';
  return s.lastStatus ?? 'new';
}

/** Shortens a long message for a table cell (the full text goes in a title). */
export const clip = (text: string, max = 90) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
