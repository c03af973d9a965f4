import { NotFoundError } from '@cronfleet/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { zoneTime } from './preview.js';
import { T0, at, openServiceEnv, type ServiceEnv } from './test/env.js';

let t: ServiceEnv;
beforeAll(async () => {
  t = await openServiceEnv();
});
afterAll(async () => t?.close());
beforeEach(async () => t.reset());

describe('zoneTime', () => {
  it.each([
    ['2026-03-02T12:00:00Z', 'UTC', '2026-03-02 12:00:00', '+00:00'],
    ['2026-07-01T00:30:00Z', 'Europe/London', '2026-07-01 01:30:00', '+01:00'],
    ['2026-01-15T18:15:05Z', 'America/New_York', '2026-01-15 13:15:05', '-05:00'],
    ['2026-01-15T00:00:00Z', 'Asia/Kathmandu', '2026-01-15 05:45:00', '+05:45'],
    ['2026-01-15T23:00:00Z', 'Asia/Tokyo', '2026-01-16 08:00:00', '+09:00'],
  ])('%s in %s is %s (%s)', (iso, zone, local, offset) => {
    expect(zoneTime(new Date(iso), zone)).toEqual({ local, offset });
  });
});

describe('preview', () => {
  it('lists the next slots of an interval after now, in UTC', async () => {
    const result = await t.service.preview({ intervalSeconds: 600 }, 3);
    expect(result).toEqual({
      timezone: 'UTC',
      slots: [
        { at: '2026-03-02T12:10:00.000Z', local: '2026-03-02 12:10:00', offset: '+00:00' },
        { at: '2026-03-02T12:20:00.000Z', local: '2026-03-02 12:20:00', offset: '+00:00' },
        { at: '2026-03-02T12:30:00.000Z', local: '2026-03-02 12:30:00', offset: '+00:00' },
      ],
    });
  });

  it('shows the offset change across the spring-forward in America/New_York', async () => {
    const { slots } = await t.service.preview(
      { cron: '0 12 * * *', timezone: 'America/New_York' },
      4,
      at('2026-03-06T00:00:00Z'),
    );
    expect(slots).toEqual([
      { at: '2026-03-06T17:00:00.000Z', local: '2026-03-06 12:00:00', offset: '-05:00' },
      { at: '2026-03-07T17:00:00.000Z', local: '2026-03-07 12:00:00', offset: '-05:00' },
      {
        at: '2026-03-08T16:00:00.000Z',
        local: '2026-03-08 12:00:00',
        offset: '-04:00',
        dstChange: 'offset changes from -05:00 to -04:00',
      },
      { at: '2026-03-09T16:00:00.000Z', local: '2026-03-09 12:00:00', offset: '-04:00' },
    ]);
  });

  it('previews a saved schedule by key or id, inside its window', async () => {
    const s = await t.service.create({
      key: 'windowed',
      handler: 'noop',
      cron: '0 9 * * *',
      timezone: 'Europe/London',
      startsAt: '2026-03-10T00:00:00Z',
      endsAt: '2026-03-12T12:00:00Z',
    });
    for (const ref of ['windowed', s.id]) {
      const { timezone, slots } = await t.service.preview({ ref }, 5);
      expect(timezone).toBe('Europe/London');
      expect(slots.map((x) => x.local)).toEqual([
        '2026-03-10 09:00:00',
        '2026-03-11 09:00:00',
        '2026-03-12 09:00:00',
      ]);
    }
  });

  it('starts from the clock by default', async () => {
    t.clock.set(at('2026-03-02T12:34:56Z'));
    const { slots } = await t.service.preview({ intervalSeconds: 3_600 }, 1);
    expect(slots[0]?.at).toBe('2026-03-02T13:00:00.000Z');
    expect(T0 < new Date(slots[0]!.at)).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['a bad cron', { cron: '61 * * * *' }, 'cronExpression'],
    ['a 3-field cron', { cron: '* * *' }, 'cronExpression'],
    ['an unknown zone', { cron: '* * * * *', timezone: 'Nowhere/Else' }, 'timezone'],
    ['interval 0', { intervalSeconds: 0 }, 'intervalSeconds'],
    ['both cadences', { cron: '* * * * *', intervalSeconds: 5 }, 'cadence'],
    ['an unknown field', { cron: '* * * * *', tz: 'UTC' }, 'tz'],
  ])('rejects %s as create does', async (_name, input, field) => {
    const err = await t.service.preview(input as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.field).toBe(field);
    if (field !== 'tz') {
      const created = await t.service
        .create({ key: 'same', handler: 'noop', ...(input as object) })
        .catch((e: unknown) => e);
      expect((created as ValidationError).issues).toEqual((err as ValidationError).issues);
    }
  });

  it.each([0, 101, 2.5])('rejects count %s', async (count) => {
    await expect(t.service.preview({ intervalSeconds: 5 }, count)).rejects.toThrow(/count: /);
  });

  it('says which schedule is unknown', async () => {
    await expect(t.service.preview({ ref: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
