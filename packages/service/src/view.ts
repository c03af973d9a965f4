import { withLastOutcomes, type LastOutcome, type Schedule } from '@cronfleet/db';
import type { Conn } from './queries.js';

export type ScheduleState = 'enabled' | 'disabled' | 'paused';

/** A schedule row as operators see it: the stored columns, its last outcome, and what they mean. */
export type ScheduleView = Schedule &
  LastOutcome & {
    /** disabled (enabled = false) wins over paused (paused_at set); otherwise enabled. */
    state: ScheduleState;
    /** The cadence in plain words: "every 10 s", "daily at 09:00 (Europe/London)", "cron 0 9 1 * * (UTC)". */
    frequency: string;
  };

export function stateOf(row: Pick<Schedule, 'enabled' | 'pausedAt'>): ScheduleState {
  if (!row.enabled) return 'disabled';
  return row.pausedAt ? 'paused' : 'enabled';
}

/** The rows as operators see them, with each schedule's last outcome read from its runs. */
export async function toViews(conn: Conn, rows: readonly Schedule[]): Promise<ScheduleView[]> {
  return (await withLastOutcomes(conn, rows)).map((row) => ({
    ...row,
    state: stateOf(row),
    frequency: describeFrequency(row),
  }));
}

export async function toView(conn: Conn, row: Schedule): Promise<ScheduleView> {
  const [view] = await toViews(conn, [row]);
  return view!;
}

const UNITS: [seconds: number, unit: string][] = [
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'min'],
];

function describeInterval(seconds: number): string {
  for (const [size, unit] of UNITS) {
    if (seconds % size === 0) return `every ${seconds / size} ${unit}`;
  }
  return `every ${seconds} s`;
}

const DAYS: Record<string, string> = {
  '*': 'daily',
  '1-5': 'weekdays',
  '0,6': 'weekends',
  '6,0': 'weekends',
};
const NUMBER = /^\d+$/;
const pad = (n: string) => n.padStart(2, '0');

/** Words for the common shapes; anything else is shown as the expression itself. */
function describeCron(expression: string, timezone: string): string {
  const parts = expression.trim().split(/\s+/);
  if (parts.length === 5) {
    const [minute = '', hour = '', dom, month, dow = ''] = parts;
    const everyDay = dom === '*' && month === '*';
    if (everyDay && dow === '*' && hour === '*') {
      if (minute === '*') return 'every minute';
      const step = /^\*\/(\d+)$/.exec(minute)?.[1];
      if (step && 60 % Number(step) === 0) return `every ${Number(step)} min`;
      if (NUMBER.test(minute)) return `hourly at :${pad(minute)}`;
    }
    const days = DAYS[dow];
    if (everyDay && days && NUMBER.test(minute) && NUMBER.test(hour)) {
      return `${days} at ${pad(hour)}:${pad(minute)} (${timezone})`;
    }
  }
  return `cron ${expression} (${timezone})`;
}

export function describeFrequency(
  row: Pick<Schedule, 'cronExpression' | 'intervalSeconds' | 'timezone'>,
): string {
  if (row.intervalSeconds !== null) return describeInterval(row.intervalSeconds);
  if (row.cronExpression !== null) return describeCron(row.cronExpression, row.timezone);
  return 'no cadence';
}
