import { describe, expect, it } from 'vitest';
import { parseCadence, type Cadence } from './cadence.js';
import { latestSlotAtOrBefore, nextSlotAfter, slotsBetween, upcomingSlots } from './slots.js';

const cron = (expression: string, timezone = 'UTC'): Cadence =>
  parseCadence({ cronExpression: expression, timezone });
const every = (seconds: number): Cadence => parseCadence({ intervalSeconds: seconds });
const date = (text: string | null) => (text === null ? null : new Date(text));
const iso = (value: Date) => value.toISOString().replace('.000Z', 'Z');
const hhmm = (value: Date) => value.toISOString().slice(11, 16);

describe('nextSlotAfter (interval)', () => {
  it.each([
    // no anchor: aligned to the Unix epoch
    [10, '2025-06-10T12:00:05Z', null, '2025-06-10T12:00:10Z'],
    [10, '2025-06-10T12:00:10Z', null, '2025-06-10T12:00:20Z'],
    [3600, '2025-06-10T12:30:00Z', null, '2025-06-10T13:00:00Z'],
    [7, '1970-01-01T00:00:00Z', null, '1970-01-01T00:00:07Z'],
    [7, '1969-12-31T23:59:59Z', null, '1970-01-01T00:00:00Z'],
    // anchored on the schedule's slot
    [10, '2025-06-10T12:00:05Z', '2025-06-10T12:00:03Z', '2025-06-10T12:00:13Z'],
    [10, '2025-06-10T12:00:13Z', '2025-06-10T12:00:03Z', '2025-06-10T12:00:23Z'],
    [10, '2025-06-10T12:00:00Z', '2025-06-10T12:00:03Z', '2025-06-10T12:00:03Z'],
    [90, '2025-06-10T12:00:00Z', '2025-06-10T11:00:00.250Z', '2025-06-10T12:00:00.250Z'],
    [86_400, '2025-03-09T12:00:00Z', '2025-03-08T12:00:00Z', '2025-03-10T12:00:00Z'],
  ])('every %s s after %s (anchor %s) → %s', (seconds, after, anchor, next) => {
    expect(iso(nextSlotAfter(every(seconds), new Date(after), date(anchor)))).toBe(next);
  });

  it.each([1, 7, 60, 86_400, 2_147_483_647])(
    'does not drift: 1000 steps of %s s land on anchor + k × interval',
    (seconds) => {
      const anchor = new Date('2025-01-01T00:00:00.123Z');
      const cadence = every(seconds);
      let current = anchor;
      for (let k = 1; k <= 1000; k++) {
        current = nextSlotAfter(cadence, current, anchor);
        expect(current.getTime()).toBe(anchor.getTime() + k * seconds * 1000);
      }
    },
  );
});

describe('slotsBetween', () => {
  const quarter = cron('*/15 * * * *');
  const from = new Date('2025-06-10T10:00:00Z');
  const to = new Date('2025-06-10T11:00:00Z');
  const anchor0905 = new Date('2025-06-10T09:05:00Z');
  const anchor1030 = new Date('2025-06-10T10:30:00Z');
  it.each([
    ['from excluded', quarter, { from, to, limit: 10 }, null, '10:15 10:30 10:45 11:00', false],
    [
      'from included',
      quarter,
      { from, to, inclusiveFrom: true, limit: 10 },
      null,
      '10:00 10:15 10:30 10:45 11:00',
      false,
    ],
    ['capped', quarter, { from, to, limit: 2 }, null, '10:15 10:30', true],
    ['exactly at the cap', quarter, { from, to, limit: 4 }, null, '10:15 10:30 10:45 11:00', false],
    ['limit 0', quarter, { from, to, limit: 0 }, null, '', true],
    ['empty range', quarter, { from, to: from, limit: 10 }, null, '', false],
    ['inverted range', quarter, { from: to, to: from, limit: 10 }, null, '', false],
    [
      'interval, anchored',
      every(1200),
      { from, to, limit: 10 },
      anchor0905,
      '10:05 10:25 10:45',
      false,
    ],
    [
      'interval, anchor inside',
      every(1200),
      { from, to, inclusiveFrom: true, limit: 10 },
      anchor1030,
      '10:30 10:50',
      false,
    ],
  ] as const)('%s', (_name, cadence, range, anchor, slots, truncated) => {
    const result = slotsBetween(cadence, range, anchor);
    expect(result.slots.map(hhmm).join(' ')).toBe(slots);
    expect(result.truncated).toBe(truncated);
  });
});

describe('upcomingSlots', () => {
  it.each([
    [
      'weekdays in London',
      cron('0 9 * * 1-5', 'Europe/London'),
      3,
      null,
      ['2025-06-13T08:00:00Z', '2025-06-16T08:00:00Z', '2025-06-17T08:00:00Z'],
    ],
    [
      'every fourth month',
      cron('0 0 1 */4 *'),
      3,
      null,
      ['2025-09-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z'],
    ],
    [
      'anchored interval',
      every(45),
      2,
      '2025-06-12T11:59:50Z',
      ['2025-06-12T12:00:35Z', '2025-06-12T12:01:20Z'],
    ],
    ['none asked for', every(45), 0, null, []],
  ] as const)('%s', (_name, cadence, count, anchor, slots) => {
    const after = new Date('2025-06-12T12:00:00Z');
    expect(upcomingSlots(cadence, after, count, date(anchor)).map(iso)).toEqual(slots);
  });
});

describe('argument checks', () => {
  it.each([
    ['an invalid date', () => nextSlotAfter(every(1), new Date('nope'))],
    ['an invalid anchor', () => latestSlotAtOrBefore(every(1), new Date(), new Date(Number.NaN))],
    [
      'a negative limit',
      () => slotsBetween(every(1), { from: new Date(0), to: new Date(1), limit: -1 }),
    ],
    ['a fractional count', () => upcomingSlots(every(1), new Date(0), 1.5)],
  ])('rejects %s', (_name, act) => {
    expect(act).toThrow(RangeError);
  });
});
