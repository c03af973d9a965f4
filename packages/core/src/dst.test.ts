/**
 * The DST rules documented at the top of slots.ts, pinned with explicit cases and
 * cross-checked against a brute-force minute-by-minute scan around real transitions.
 */
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { parseCadence, type Cadence } from './cadence.js';
import { latestSlotAtOrBefore, nextSlotAfter, slotsBetween, upcomingSlots } from './slots.js';

const cron = (expression: string, timezone: string): Cadence =>
  parseCadence({ cronExpression: expression, timezone });
const isoList = (dates: Date[]) => dates.map((d) => d.toISOString().replace(':00.000Z', 'Z'));

describe('DST rules, explicit cases', () => {
  it.each([
    // spring-forward gap: fire at the first valid instant after the gap
    {
      name: 'NY 02:30 in the gap → 03:00 EDT',
      expr: '30 2 * * *',
      tz: 'America/New_York',
      after: '2025-03-08T12:00:00Z',
      slots: ['2025-03-09T07:00Z', '2025-03-10T06:30Z'],
    },
    {
      name: 'NY 02:00 in the gap → 03:00 EDT',
      expr: '0 2 * * *',
      tz: 'America/New_York',
      after: '2025-03-08T12:00:00Z',
      slots: ['2025-03-09T07:00Z', '2025-03-10T06:00Z'],
    },
    {
      name: 'NY 02:30 and 03:30: the gap slot and the real one',
      expr: '30 2,3 * * *',
      tz: 'America/New_York',
      after: '2025-03-08T12:00:00Z',
      slots: ['2025-03-09T07:00Z', '2025-03-09T07:30Z', '2025-03-10T06:30Z'],
    },
    {
      name: 'London 01:30 in the gap → 02:00 BST',
      expr: '30 1 * * *',
      tz: 'Europe/London',
      after: '2025-03-29T12:00:00Z',
      slots: ['2025-03-30T01:00Z', '2025-03-31T00:30Z'],
    },
    {
      name: 'NY every 15 min over the gap',
      expr: '*/15 * * * *',
      tz: 'America/New_York',
      after: '2025-03-09T06:30:00Z',
      slots: ['2025-03-09T06:45Z', '2025-03-09T07:00Z', '2025-03-09T07:15Z'],
    },
    // fall-back overlap: a fixed wall-clock slot fires once, at the first occurrence
    {
      name: 'NY 01:30 twice → once (EDT)',
      expr: '30 1 * * *',
      tz: 'America/New_York',
      after: '2025-11-01T12:00:00Z',
      slots: ['2025-11-02T05:30Z', '2025-11-03T06:30Z'],
    },
    {
      name: 'NY 01:30 with seconds field',
      expr: '0 30 1 * * *',
      tz: 'America/New_York',
      after: '2025-11-01T12:00:00Z',
      slots: ['2025-11-02T05:30Z', '2025-11-03T06:30Z'],
    },
    {
      name: 'NY between the two 01:30s',
      expr: '30 1 * * *',
      tz: 'America/New_York',
      after: '2025-11-02T05:45:00Z',
      slots: ['2025-11-03T06:30Z'],
    },
    {
      name: 'NY minute step in a fixed hour: first pass only',
      expr: '*/20 1 * * *',
      tz: 'America/New_York',
      after: '2025-11-02T04:00:00Z',
      slots: ['2025-11-02T05:00Z', '2025-11-02T05:20Z', '2025-11-02T05:40Z', '2025-11-03T06:00Z'],
    },
    {
      name: 'London 01:30 twice → once (BST)',
      expr: '30 1 * * *',
      tz: 'Europe/London',
      after: '2025-10-25T12:00:00Z',
      slots: ['2025-10-26T00:30Z', '2025-10-27T01:30Z'],
    },
    // every-hour expressions: each real instant once, both passes of the repeated hour
    {
      name: 'NY hourly: 01:00 EDT and 01:00 EST',
      expr: '0 * * * *',
      tz: 'America/New_York',
      after: '2025-11-02T03:30:00Z',
      slots: ['2025-11-02T04:00Z', '2025-11-02T05:00Z', '2025-11-02T06:00Z', '2025-11-02T07:00Z'],
    },
    {
      name: 'NY every 15 min over the overlap',
      expr: '*/15 * * * *',
      tz: 'America/New_York',
      after: '2025-11-02T05:30:00Z',
      slots: [
        '2025-11-02T05:45Z',
        '2025-11-02T06:00Z',
        '2025-11-02T06:15Z',
        '2025-11-02T06:30Z',
        '2025-11-02T06:45Z',
        '2025-11-02T07:00Z',
      ],
    },
    {
      name: 'NY every 20 s over the overlap',
      expr: '*/20 * * * * *',
      tz: 'America/New_York',
      after: '2025-11-02T05:59:20Z',
      slots: ['2025-11-02T05:59:40.000Z', '2025-11-02T06:00Z', '2025-11-02T06:00:20.000Z'],
    },
  ])('$name', ({ expr, tz, after, slots }) => {
    expect(isoList(upcomingSlots(cron(expr, tz), new Date(after), slots.length))).toEqual(slots);
  });

  it.each([
    {
      name: 'fall-back: not the second 01:30',
      expr: '30 1 * * *',
      tz: 'America/New_York',
      at: '2025-11-02T06:45:00Z',
      latest: '2025-11-02T05:30Z',
    },
    {
      name: 'fall-back: hourly sees the second 01:00',
      expr: '0 * * * *',
      tz: 'America/New_York',
      at: '2025-11-02T06:45:00Z',
      latest: '2025-11-02T06:00Z',
    },
    {
      name: 'spring-forward: the gap slot at 03:00',
      expr: '30 2 * * *',
      tz: 'America/New_York',
      at: '2025-03-09T07:10:00Z',
      latest: '2025-03-09T07:00Z',
    },
    {
      name: 'spring-forward: before the gap',
      expr: '30 2 * * *',
      tz: 'America/New_York',
      at: '2025-03-09T06:59:59Z',
      latest: '2025-03-08T07:30Z',
    },
    {
      name: 'London gap slot at 02:00 BST',
      expr: '30 1 * * *',
      tz: 'Europe/London',
      at: '2025-03-30T01:00:00Z',
      latest: '2025-03-30T01:00Z',
    },
  ])('latestSlotAtOrBefore: $name', ({ expr, tz, at, latest }) => {
    const found = latestSlotAtOrBefore(cron(expr, tz), new Date(at));
    expect(found && isoList([found])).toEqual([latest]);
  });

  it('interval schedules ignore DST: exactly one hour apart across the NY gap', () => {
    const slots = upcomingSlots(
      parseCadence({ intervalSeconds: 3600, timezone: 'America/New_York' }),
      new Date('2025-03-09T05:30:00Z'),
      3,
    );
    expect(isoList(slots)).toEqual(['2025-03-09T06:00Z', '2025-03-09T07:00Z', '2025-03-09T08:00Z']);
  });
});

describe('cron-parser on its own (why slots.ts wraps it)', () => {
  const native = (expr: string, tz: string, from: string, reverse = false) => {
    const iterator = CronExpressionParser.parse(expr, { tz, currentDate: new Date(from) });
    return isoList([0, 1, 2].map(() => (reverse ? iterator.prev() : iterator.next()).toDate()));
  };
  it.each([
    {
      name: 'moves a NY gap slot by the gap size (03:30, not 03:00)',
      args: ['30 2 * * *', 'America/New_York', '2025-03-08T12:00:00Z'] as const,
      first: '2025-03-09T07:30Z',
    },
    {
      name: 'moves a London gap slot by the gap size (02:30, not 02:00)',
      args: ['30 1 * * *', 'Europe/London', '2025-03-29T12:00:00Z'] as const,
      first: '2025-03-30T01:30Z',
    },
    {
      name: 'fires a fixed fall-back slot once going forward',
      args: ['30 1 * * *', 'America/New_York', '2025-11-02T05:00:00Z'] as const,
      first: '2025-11-02T05:30Z',
      second: '2025-11-03T06:30Z',
    },
  ])('$name', ({ args, first, second }) => {
    const [head, next] = native(args[0], args[1], args[2]);
    expect(head).toBe(first);
    if (second) expect(next).toBe(second);
  });

  it('returns both passes of a repeated hour from prev()', () => {
    expect(
      native('30 1 * * *', 'America/New_York', '2025-11-02T12:00:00Z', true).slice(0, 2),
    ).toEqual(['2025-11-02T06:30Z', '2025-11-02T05:30Z']);
  });
});

/** Every instant on the minute grid in (from, to] that is a slot by the written rules. */
function bruteForce(expr: string, tz: string, from: number, to: number): number[] {
  const matcher = CronExpressionParser.parse(expr, { tz: 'UTC' });
  const matches = (naive: number) => matcher.includesDate(new Date(naive));
  const everyHour = matcher.fields.hour.values.length === 24;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const naiveOf = (ms: number) => {
    const p = Object.fromEntries(
      format.formatToParts(ms).map((part) => [part.type, Number(part.value)]),
    );
    return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day, p.hour, p.minute);
  };
  const seen = new Set<number>();
  const slots: number[] = [];
  let previousNaive: number | null = null;
  for (let instant = from - 6 * 3_600_000; instant <= to; instant += 60_000) {
    const naive = naiveOf(instant);
    let slot = matches(naive) && (everyHour || !seen.has(naive));
    for (let skipped = (previousNaive ?? naive) + 60_000; skipped < naive; skipped += 60_000) {
      if (matches(skipped)) slot = true; // a wall-clock time in a spring-forward gap
    }
    seen.add(naive);
    previousNaive = naive;
    if (slot && instant > from) slots.push(instant);
  }
  return slots;
}

describe.each([
  { tz: 'America/New_York', day: '2025-03-09' },
  { tz: 'America/New_York', day: '2025-11-02' },
  { tz: 'Europe/London', day: '2025-03-30' },
  { tz: 'Europe/London', day: '2025-10-26' },
  { tz: 'Australia/Lord_Howe', day: '2025-04-06' }, // half-hour shift
  { tz: 'America/Santiago', day: '2025-04-06' }, // midnight 00:00 → 23:00 the day before
  { tz: 'America/Santiago', day: '2025-09-07' }, // midnight 00:00 → 01:00
  { tz: 'Pacific/Apia', day: '2011-12-30' }, // a whole day skipped
])('matches a brute-force scan in $tz around $day', ({ tz, day }) => {
  const from = Date.parse(`${day}T00:00:00Z`) - 36 * 3_600_000;
  const to = from + 72 * 3_600_000;
  it.each([
    '30 1 * * *',
    '30 2 * * *',
    '0 0 * * *',
    '30 23 * * *',
    '0 * * * *',
    '*/15 * * * *',
    '*/20 1 * * *',
    '30 2,3 * * *',
    '45 0-3 * * *',
    '0 12 * * *',
  ])('%s', (expr) => {
    const cadence = cron(expr, tz);
    const expected = bruteForce(expr, tz, from, to);
    const forward = slotsBetween(cadence, {
      from: new Date(from),
      to: new Date(to),
      limit: 10_000,
    });
    expect(isoList(forward.slots)).toEqual(isoList(expected.map((ms) => new Date(ms))));

    const backward: number[] = [];
    for (
      let cursor = latestSlotAtOrBefore(cadence, new Date(to));
      cursor && cursor.getTime() > from;
    ) {
      backward.push(cursor.getTime());
      cursor = latestSlotAtOrBefore(cadence, new Date(cursor.getTime() - 1));
    }
    expect(backward.reverse()).toEqual(expected);
    const first = expected[0];
    if (first !== undefined) expect(nextSlotAfter(cadence, new Date(from)).getTime()).toBe(first);
  });
});
