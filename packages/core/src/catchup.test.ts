import { describe, expect, it } from 'vitest';
import { parseCadence } from './cadence.js';
import { MAX_COUNTED_MISSED, planDue, type CatchupPolicy } from './catchup.js';

const minutely = parseCadence({ cronExpression: '* * * * *' });
const hourly = parseCadence({ cronExpression: '0 * * * *' });
const everyMinute = parseCadence({ intervalSeconds: 60 });
const t = (hhmmss: string) => new Date(`2025-06-10T${hhmmss}Z`);
const hms = (dates: Date[]) => dates.map((d) => d.toISOString().slice(11, 19));
const policy = (catchup: CatchupPolicy['catchup'], maxCatchup = 100): CatchupPolicy => ({
  catchup,
  maxCatchup,
});

describe('planDue after a 2-hour outage on a 1-minute schedule (120 missed slots)', () => {
  const due = t('10:00:00');
  const now = t('11:59:30');
  it.each([
    { catchup: 'skip' as const, fired: 0, first: undefined, last: undefined, dropped: 120 },
    { catchup: 'latest' as const, fired: 1, first: '11:59:00', last: '11:59:00', dropped: 119 },
    { catchup: 'all' as const, fired: 100, first: '10:20:00', last: '11:59:00', dropped: 20 },
  ])('$catchup fires $fired and drops $dropped', ({ catchup, fired, first, last, dropped }) => {
    const plan = planDue(minutely, due, now, policy(catchup));
    expect(plan.fire).toHaveLength(fired);
    expect(hms(plan.fire.slice(0, 1))[0]).toBe(first);
    expect(hms(plan.fire.slice(-1))[0]).toBe(last);
    expect(plan.dropped).toBe(dropped);
    expect(hms([plan.next])).toEqual(['12:00:00']);
    const times = plan.fire.map((d) => d.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('planDue', () => {
  it.each([
    {
      name: 'on time, skip',
      cadence: minutely,
      due: '10:00:00',
      now: '10:00:00.500',
      p: policy('skip'),
      fire: ['10:00:00'],
      next: '10:01:00',
      dropped: 0,
    },
    {
      name: 'on time, latest',
      cadence: minutely,
      due: '10:00:00',
      now: '10:00:00.500',
      p: policy('latest'),
      fire: ['10:00:00'],
      next: '10:01:00',
      dropped: 0,
    },
    {
      name: 'on time, all',
      cadence: minutely,
      due: '10:00:00',
      now: '10:00:59.999',
      p: policy('all'),
      fire: ['10:00:00'],
      next: '10:01:00',
      dropped: 0,
    },
    {
      name: 'default policy is latest',
      cadence: minutely,
      due: '10:00:00',
      now: '10:03:10',
      p: undefined,
      fire: ['10:03:00'],
      next: '10:04:00',
      dropped: 3,
    },
    {
      name: 'exactly on the next slot',
      cadence: minutely,
      due: '10:00:00',
      now: '10:01:00',
      p: policy('all'),
      fire: ['10:00:00', '10:01:00'],
      next: '10:02:00',
      dropped: 0,
    },
    {
      name: 'all, capped to the most recent',
      cadence: minutely,
      due: '10:00:00',
      now: '10:04:30',
      p: policy('all', 2),
      fire: ['10:03:00', '10:04:00'],
      next: '10:05:00',
      dropped: 3,
    },
    {
      name: 'all, cap 0',
      cadence: minutely,
      due: '10:00:00',
      now: '10:04:30',
      p: policy('all', 0),
      fire: [],
      next: '10:05:00',
      dropped: 5,
    },
    {
      name: 'interval anchored on due',
      cadence: everyMinute,
      due: '10:00:07',
      now: '10:05:00',
      p: policy('latest'),
      fire: ['10:04:07'],
      next: '10:05:07',
      dropped: 4,
    },
    {
      name: 'interval, all capped',
      cadence: everyMinute,
      due: '10:00:07',
      now: '10:05:00',
      p: policy('all', 3),
      fire: ['10:02:07', '10:03:07', '10:04:07'],
      next: '10:05:07',
      dropped: 2,
    },
    {
      name: 'interval, skip after a miss',
      cadence: everyMinute,
      due: '10:00:07',
      now: '10:05:00',
      p: policy('skip'),
      fire: [],
      next: '10:05:07',
      dropped: 5,
    },
    {
      name: 'interval, skip on time',
      cadence: everyMinute,
      due: '10:00:07',
      now: '10:00:08',
      p: policy('skip'),
      fire: ['10:00:07'],
      next: '10:01:07',
      dropped: 0,
    },
    {
      name: 'off-grid due (hand-written row) on time',
      cadence: hourly,
      due: '10:00:07',
      now: '10:00:08',
      p: policy('skip'),
      fire: ['10:00:07'],
      next: '11:00:00',
      dropped: 0,
    },
    {
      name: 'off-grid due, then a real slot',
      cadence: hourly,
      due: '10:00:07',
      now: '11:30:00',
      p: policy('all'),
      fire: ['10:00:07', '11:00:00'],
      next: '12:00:00',
      dropped: 0,
    },
    {
      name: 'off-grid due, latest',
      cadence: hourly,
      due: '10:00:07',
      now: '11:30:00',
      p: policy('latest'),
      fire: ['11:00:00'],
      next: '12:00:00',
      dropped: 1,
    },
    {
      name: 'not due yet',
      cadence: minutely,
      due: '10:05:00',
      now: '10:00:00',
      p: policy('all'),
      fire: [],
      next: '10:05:00',
      dropped: 0,
    },
  ])('$name', ({ cadence, due, now, p, fire, next, dropped }) => {
    const plan = planDue(cadence, t(due), t(now), p);
    expect(hms(plan.fire)).toEqual(fire);
    expect(hms([plan.next])).toEqual([next]);
    expect(plan.dropped).toBe(dropped);
  });

  it('plans across fall-back without firing the repeated 01:30', () => {
    const cadence = parseCadence({ cronExpression: '30 1 * * *', timezone: 'America/New_York' });
    const plan = planDue(
      cadence,
      new Date('2025-11-02T05:30:00Z'),
      new Date('2025-11-02T06:45:00Z'),
      policy('all'),
    );
    expect(plan.fire.map((d) => d.toISOString())).toEqual(['2025-11-02T05:30:00.000Z']);
    expect(plan.next.toISOString()).toBe('2025-11-03T06:30:00.000Z');
    expect(plan.dropped).toBe(0);
  });

  it('stops counting missed cron slots at MAX_COUNTED_MISSED', () => {
    const everySecond = parseCadence({ cronExpression: '* * * * * *' });
    const plan = planDue(everySecond, t('00:00:00'), t('23:59:59'), policy('latest'));
    expect(hms(plan.fire)).toEqual(['23:59:59']);
    expect(plan.dropped).toBe(MAX_COUNTED_MISSED - 1);
  });

  it.each([
    { name: 'an unknown mode', p: { catchup: 'some', maxCatchup: 1 } as unknown as CatchupPolicy },
    { name: 'a negative cap', p: policy('all', -1) },
    { name: 'a fractional cap', p: policy('all', 1.5) },
  ])('rejects $name', ({ p }) => {
    expect(() => planDue(minutely, t('10:00:00'), t('10:00:01'), p)).toThrow(RangeError);
  });
});
