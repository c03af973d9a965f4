import { NotFoundError } from '@cronfleet/core';
import { scheduleRuns, schedules } from '@cronfleet/db';
import { eq, sql } from 'drizzle-orm';
import { waitFor } from '@cronfleet/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from './errors.js';
import { DEFINITION_DEFAULTS, type ScheduleInput } from './input.js';
import { T0, at, insertRun, openServiceEnv, type ServiceEnv } from './test/env.js';

let t: ServiceEnv;
beforeAll(async () => {
  t = await openServiceEnv();
});
afterAll(async () => t?.close());
beforeEach(async () => t.reset());

const rejection = async (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );

/** Writes runtime state the scheduler owns, to check what the service keeps or clears. */
async function setState(key: string, state: Partial<typeof schedules.$inferInsert>) {
  await t.db.update(schedules).set(state).where(eq(schedules.key, key));
}

describe('create', () => {
  it('stores the definition with the column defaults, and derives state and frequency', async () => {
    const view = await t.service.create({ key: 'heartbeat', handler: 'noop', intervalSeconds: 10 });
    expect(view).toMatchObject({
      ...DEFINITION_DEFAULTS,
      key: 'heartbeat',
      state: 'enabled',
      frequency: 'every 10 s',
      nextRunAt: null,
    });
    expect(view.createdAt.toISOString()).toBe(T0.toISOString());
  });

  it('has the same defaults as the database (a row written by SQL)', async () => {
    await t.db.execute(
      sql`INSERT INTO schedules (key, handler, interval_seconds) VALUES ('raw', 'noop', 5)`,
    );
    const row = await t.service.get('raw');
    for (const [field, value] of Object.entries(DEFINITION_DEFAULTS)) {
      expect({ field, value: row[field as keyof typeof row] }).toEqual({ field, value });
    }
  });

  it('accepts the cron alias, ISO instants and every policy field', async () => {
    const view = await t.service.create({
      key: 'report',
      handler: 'http.request',
      cron: ' 0 9 * * 1-5 ',
      timezone: 'europe/london',
      payload: { url: 'https://x.test' },
      catchupPolicy: 'all',
      maxCatchup: 7,
      overlapPolicy: 'buffer_one',
      startsAt: '2026-04-01T00:00:00+01:00',
      endsAt: at('2026-12-31T00:00:00Z'),
      maxRuns: 10,
      maxConsecutiveFailures: 3,
      jitterSeconds: 30,
      timeoutMs: 5_000,
      group: 'reports',
    });
    expect(view).toMatchObject({
      cronExpression: '0 9 * * 1-5',
      intervalSeconds: null,
      timezone: 'Europe/London',
      catchupPolicy: 'all',
      maxCatchup: 7,
      overlapPolicy: 'buffer_one',
      maxRuns: 10,
      maxConsecutiveFailures: 3,
      jitterSeconds: 30,
      frequency: 'weekdays at 09:00 (Europe/London)',
    });
    expect(view.startsAt?.toISOString()).toBe('2026-03-31T23:00:00.000Z');
  });

  const base = { key: 'k', handler: 'noop', intervalSeconds: 60 } satisfies ScheduleInput;
  it.each<[string, unknown, string, string]>([
    ['no key', { handler: 'noop', intervalSeconds: 1 }, 'key', 'is required'],
    ['a bad key', { ...base, key: '-x' }, 'key', 'letters, digits'],
    ['no handler', { key: 'k', intervalSeconds: 1 }, 'handler', 'is required'],
    ['no cadence', { key: 'k', handler: 'noop' }, 'cadence', 'neither is set'],
    ['two cadences', { ...base, cron: '* * * * *' }, 'cadence', 'not both'],
    ['interval 0', { ...base, intervalSeconds: 0 }, 'intervalSeconds', 'at least 1'],
    ['a fractional interval', { ...base, intervalSeconds: 1.5 }, 'intervalSeconds', 'whole number'],
    [
      'a 3-field cron',
      { key: 'k', handler: 'noop', cron: '* * *' },
      'cronExpression',
      'has 3 fields',
    ],
    [
      'a cron that never fires',
      { key: 'k', handler: 'noop', cron: '0 0 30 2 *' },
      'cronExpression',
      'never fire',
    ],
    [
      'cron and cronExpression differing',
      { key: 'k', handler: 'noop', cron: '* * * * *', cronExpression: '0 * * * *' },
      'cron',
      'give one',
    ],
    ['an unknown zone', { ...base, timezone: 'Mars/Base' }, 'timezone', 'not a known IANA'],
    ['maxAttempts 0', { ...base, maxAttempts: 0 }, 'maxAttempts', 'at least 1'],
    ['maxAttempts 101', { ...base, maxAttempts: 101 }, 'maxAttempts', 'at most 100'],
    ['a negative backoff', { ...base, backoffMs: -1 }, 'backoffMs', 'at least 0'],
    ['timeoutMs 0', { ...base, timeoutMs: 0 }, 'timeoutMs', 'at least 1'],
    [
      'an unknown catch-up policy',
      { ...base, catchupPolicy: 'sometimes' },
      'catchupPolicy',
      'skip, latest, all',
    ],
    ['maxCatchup 10001', { ...base, maxCatchup: 10_001 }, 'maxCatchup', 'at most 10000'],
    [
      'an unknown overlap policy',
      { ...base, overlapPolicy: 'queue' },
      'overlapPolicy',
      'cancel_previous',
    ],
    ['maxRuns 0', { ...base, maxRuns: 0 }, 'maxRuns', 'at least 1'],
    [
      'maxConsecutiveFailures 0',
      { ...base, maxConsecutiveFailures: 0 },
      'maxConsecutiveFailures',
      'at least 1',
    ],
    ['jitter over a day', { ...base, jitterSeconds: 86_401 }, 'jitterSeconds', 'at most 86400'],
    ['a date in words', { ...base, startsAt: 'tomorrow' }, 'startsAt', 'ISO 8601'],
    ['a date without offset', { ...base, startsAt: '2026-05-01T00:00:00' }, 'startsAt', 'ISO 8601'],
    ['a number as date', { ...base, endsAt: 5 }, 'endsAt', 'ISO 8601'],
    [
      'a window ending first',
      { ...base, startsAt: '2026-05-02T00:00:00Z', endsAt: '2026-05-01T00:00:00Z' },
      'endsAt',
      'must be after startsAt',
    ],
    ['a list as payload', { ...base, payload: [1] }, 'payload', 'expected an object'],
    ['an unknown field', { ...base, colour: 'red' }, 'colour', 'not a known field'],
    ['a NUL in the name', { ...base, name: 'a\u0000b' }, 'name', 'NUL character'],
    ['a NUL in the description', { ...base, description: '\u0000' }, 'description', 'NUL'],
    ['a NUL in a payload value', { ...base, payload: { a: ['x\u0000'] } }, 'payload', 'NUL'],
    ['a NUL in a payload key', { ...base, payload: { 'k\u0000': 1 } }, 'payload', 'NUL'],
    [
      'a payload over 64 KiB',
      { ...base, payload: { blob: 'é'.repeat(33_000) } },
      'payload',
      'is 66011 bytes as JSON, over the 65536-byte limit',
    ],
    [
      'an unknown handler',
      { ...base, handler: 'nope' },
      'handler',
      'unknown handler "nope"; known: http.request, noop, sleep',
    ],
  ])('rejects %s', async (_name, input, field, problem) => {
    const err = await rejection(t.service.create(input as ScheduleInput));
    expect(err).toBeInstanceOf(ValidationError);
    const { code, issues, message } = err as ValidationError;
    expect(code).toBe('invalid_input');
    expect(issues.map((i) => i.field)).toContain(field);
    expect(message).toContain(`${field}: `);
    expect(message).toContain(problem);
    expect(await t.db.$count(schedules)).toBe(0);
  });

  it('names every bad field in one message', async () => {
    const err = await rejection(t.service.create({ ...base, maxAttempts: 0, jitterSeconds: -1 }));
    expect((err as Error).message).toMatch(
      /^invalid schedule: maxAttempts: must be at least 1 \(got 0\); jitterSeconds: must be at least 0/,
    );
  });

  it('refuses a key that is taken with ConflictError', async () => {
    await t.service.create(base);
    const err = await rejection(t.service.create({ ...base, intervalSeconds: 5 }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('"k" already exists') as unknown,
    });
  });
});

describe('get and list', () => {
  beforeEach(async () => {
    await t.service.create({ key: 'a', handler: 'noop', intervalSeconds: 300, group: 'g1' });
    await t.service.create({
      key: 'b',
      handler: 'noop',
      cron: '0 9 * * *',
      timezone: 'Europe/London',
      group: 'g1',
      enabled: false,
    });
    await t.service.create({ key: 'c', handler: 'noop', intervalSeconds: 7_200, group: 'g2' });
    await t.service.create({ key: 'd', handler: 'noop', intervalSeconds: 45 });
    await t.service.pause('c', { note: 'maintenance' });
    await setState('d', { consecutiveFailures: 2 });
  });

  it('gets by key or by id, and says which ref is unknown', async () => {
    const byKey = await t.service.get('b');
    expect(byKey).toMatchObject({ state: 'disabled', frequency: 'daily at 09:00 (Europe/London)' });
    expect((await t.service.get(byKey.id)).key).toBe('b');
    for (const ref of ['nope', '00000000-0000-4000-8000-000000000000']) {
      const err = await rejection(t.service.get(ref));
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toContain(`schedule "${ref}" not found`);
    }
  });

  it.each<[string, Parameters<ServiceEnv['service']['list']>[0], string[], number]>([
    ['everything', {}, ['a', 'b', 'c', 'd'], 4],
    ['a group', { group: 'g1' }, ['a', 'b'], 2],
    ['enabled (not paused)', { status: 'enabled' }, ['a', 'd'], 2],
    ['disabled', { status: 'disabled' }, ['b'], 1],
    ['paused', { status: 'paused' }, ['c'], 1],
    ['failing', { status: 'failing' }, ['d'], 1],
    ['enabled flag', { enabled: true }, ['a', 'c', 'd'], 3],
    ['a page', { limit: 2, offset: 1 }, ['b', 'c'], 4],
  ])('lists %s', async (_name, opts, keys, total) => {
    const page = await t.service.list(opts);
    expect(page.items.map((s) => s.key)).toEqual(keys);
    expect(page.total).toBe(total);
  });

  it('describes each row', async () => {
    const { items } = await t.service.list();
    expect(items.map((s) => [s.key, s.state, s.frequency])).toEqual([
      ['a', 'enabled', 'every 5 min'],
      ['b', 'disabled', 'daily at 09:00 (Europe/London)'],
      ['c', 'paused', 'every 2 h'],
      ['d', 'enabled', 'every 45 s'],
    ]);
  });

  it("shows each schedule's last outcome from its runs, and a cadence error as invalid", async () => {
    const ids = new Map((await t.service.list()).items.map((s) => [s.key, s.id]));
    const finished = (
      key: string,
      second: number,
      fields: Partial<typeof scheduleRuns.$inferInsert>,
    ) =>
      t.db.insert(scheduleRuns).values({
        scheduleId: ids.get(key)!,
        scheduledFor: new Date(T0.getTime() + second * 1_000),
        finishedAt: new Date(T0.getTime() + second * 1_000 + 500),
        ...fields,
      });
    await finished('a', 1, { status: 'failed', error: 'first try' });
    await finished('a', 2, { status: 'succeeded', result: { rows: 3 } });
    await finished('d', 1, { status: 'failed', error: 'disk full' });
    await finished('d', 2, { status: 'cancelled', error: 'cancelled by an operator' });
    await setState('b', { cadenceError: 'unknown time zone "Mars/Base"' });

    const view = (key: string, list: Awaited<ReturnType<typeof t.service.list>>) =>
      list.items.find((s) => s.key === key)!;
    const all = await t.service.list();
    for (const [key, expected] of [
      ['a', { lastStatus: 'succeeded', lastResult: { rows: 3 }, lastError: null, second: 2 }],
      [
        'b',
        {
          lastStatus: 'invalid',
          lastResult: null,
          lastError: 'unknown time zone "Mars/Base"',
          second: null,
        },
      ],
      ['c', { lastStatus: null, lastResult: null, lastError: null, second: null }],
      ['d', { lastStatus: 'failed', lastResult: null, lastError: 'disk full', second: 1 }],
    ] as const) {
      const { second, ...fields } = expected;
      for (const row of [view(key, all), await t.service.get(key)]) {
        expect(row).toMatchObject(fields);
        expect(row.lastRunAt?.toISOString() ?? null).toBe(
          second === null ? null : new Date(T0.getTime() + second * 1_000 + 500).toISOString(),
        );
      }
    }
    expect((await t.service.list({ status: 'failing' })).items.map((s) => s.key)).toEqual([
      'b',
      'd',
    ]);
  });

  it.each<[string, unknown, string]>([
    ['limit 0', { limit: 0 }, 'limit'],
    ['limit 501', { limit: 501 }, 'limit'],
    ['a negative offset', { offset: -1 }, 'offset'],
    ['an unknown status', { status: 'broken' }, 'status'],
    ['a NUL in the group', { group: 'a\u0000' }, 'group'],
  ])('rejects %s', async (_name, opts, field) => {
    const err = await rejection(t.service.list(opts as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.field).toBe(field);
  });
});

describe('update', () => {
  const due = at('2026-03-02T12:05:00Z');
  beforeEach(async () => {
    await t.service.create({ key: 'u', handler: 'noop', cron: '*/5 * * * *', payload: { a: 1 } });
    await setState('u', { nextRunAt: due });
  });

  it('switches cron → interval and back, clearing the other and next_run_at', async () => {
    const toInterval = await t.service.update('u', { intervalSeconds: 90 });
    expect(toInterval).toMatchObject({
      cronExpression: null,
      intervalSeconds: 90,
      nextRunAt: null,
      frequency: 'every 90 s',
    });
    const toCron = await t.service.update('u', { cron: '0 * * * *' });
    expect(toCron).toMatchObject({
      cronExpression: '0 * * * *',
      intervalSeconds: null,
      frequency: 'hourly at :00',
    });
  });

  it.each<[string, Record<string, unknown>, boolean]>([
    ['the time zone', { timezone: 'Asia/Tokyo' }, true],
    ['startsAt', { startsAt: '2026-04-01T00:00:00Z' }, true],
    ['the payload', { payload: { a: 2 } }, false],
    ['the overlap policy', { overlapPolicy: 'allow' }, false],
    ['endsAt', { endsAt: '2027-01-01T00:00:00Z' }, false],
  ])('changing %s recomputes next_run_at: %s', async (_name, patch, recompute) => {
    await setState('u', { cadenceError: 'judged earlier' });
    t.clock.advance(1_000);
    const view = await t.service.update('u', patch);
    expect(view.nextRunAt).toEqual(recompute ? null : due);
    // A new cadence is judged afresh on the next poll, so its old error goes too.
    expect(view.cadenceError).toEqual(recompute ? null : 'judged earlier');
    expect(view.updatedAt.getTime()).toBe(T0.getTime() + 1_000);
  });

  it('writes nothing for a patch that changes nothing', async () => {
    t.clock.advance(1_000);
    const view = await t.service.update('u', { payload: { a: 1 }, cronExpression: '*/5 * * * *' });
    expect(view.updatedAt.toISOString()).toBe(T0.toISOString());
    expect(view.nextRunAt).toEqual(due);
  });

  it('clears nullable fields with null and re-enables like setEnabled', async () => {
    await t.service.update('u', { maxRuns: 3, group: 'x' });
    await setState('u', { enabled: false, disabledReason: 'max_runs reached' });
    const view = await t.service.update('u', { maxRuns: null, group: null, enabled: true });
    expect(view).toMatchObject({
      maxRuns: null,
      group: null,
      enabled: true,
      disabledReason: null,
      nextRunAt: null,
    });
  });

  it.each<[string, unknown, string]>([
    ['both cadences', { cron: '* * * * *', intervalSeconds: 5 }, 'cadence'],
    ['no cadence left', { cronExpression: null }, 'cadence'],
    ['a bad cron', { cron: 'every day' }, 'cronExpression'],
    [
      'a window ending before its start',
      { startsAt: '2026-06-01T00:00:00Z', endsAt: '2026-05-01T00:00:00Z' },
      'endsAt',
    ],
    ['a new key', { key: 'other' }, 'key'],
    ['an unknown handler', { handler: 'nope' }, 'handler'],
  ])('rejects %s', async (_name, patch, field) => {
    const err = await rejection(t.service.update('u', patch as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.field)).toContain(field);
    expect((await t.service.get('u')).cronExpression).toBe('*/5 * * * *');
  });

  it('lets a schedule whose handler is no longer known change other fields', async () => {
    await setState('u', { handler: 'retired' });
    await expect(t.service.update('u', { payload: {} })).resolves.toMatchObject({
      handler: 'retired',
      payload: {},
    });
  });

  it('says which schedule is unknown', async () => {
    await expect(t.service.update('ghost', { payload: {} })).rejects.toThrow(
      /schedule "ghost" not found/,
    );
  });
});

describe('remove, setEnabled, pause, resume', () => {
  const next = at('2026-03-02T13:00:00Z');
  beforeEach(async () => {
    await t.service.create({ key: 's', handler: 'noop', intervalSeconds: 3_600 });
    await setState('s', { nextRunAt: next });
  });

  it('removes a schedule and its runs', async () => {
    const s = await t.service.get('s');
    await insertRun(t.db, { scheduleId: s.id, scheduledFor: T0 });
    await expect(t.service.remove(s.id)).resolves.toEqual({ id: s.id, key: 's' });
    expect(await t.db.$count(scheduleRuns)).toBe(0);
    await expect(t.service.get('s')).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.service.remove('s')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('removes a schedule even when a worker recording its run deadlocks with it', async () => {
    const s = await t.service.get('s');
    const run = await insertRun(t.db, { scheduleId: s.id, scheduledFor: T0 });
    // A worker's ledger flush: it writes the run row first, the schedule row after.
    const flush = await t.db.$client.connect();
    try {
      await flush.query('BEGIN');
      await flush.query("UPDATE schedule_runs SET status = 'running' WHERE id = $1", [run.id]);
      const removing = t.service.remove('s');
      await waitFor('the remove to wait for the run row', async () => {
        const { rows } = await t.db.$client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted',
        );
        return rows[0]!.n > 0 || undefined;
      });
      // The remove holds the schedule row: Postgres breaks the cycle by
      // failing one side, and the remove, which waited first, is the one.
      await flush.query('SELECT 1 FROM schedules WHERE id = $1 FOR NO KEY UPDATE', [s.id]);
      await flush.query('COMMIT');
      await expect(removing).resolves.toEqual({ id: s.id, key: 's' });
    } finally {
      await flush.query('ROLLBACK').catch(() => undefined);
      flush.release();
    }
    await expect(t.service.get('s')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('disables, then enables from now: disabled_reason and next_run_at cleared', async () => {
    const off = await t.service.setEnabled('s', false);
    expect(off).toMatchObject({ enabled: false, state: 'disabled', nextRunAt: next });
    await setState('s', { disabledReason: 'ends_at passed' });
    const on = await t.service.setEnabled('s', true);
    expect(on).toMatchObject({
      enabled: true,
      state: 'enabled',
      disabledReason: null,
      nextRunAt: null,
    });
  });

  it('keeps next_run_at when enabling a schedule that is enabled', async () => {
    await expect(t.service.setEnabled('s', true)).resolves.toMatchObject({ nextRunAt: next });
    await expect(t.service.setEnabled('s', 'yes' as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('pauses with a note and an end, keeps the first paused_at, and resumes keeping next_run_at', async () => {
    const until = at('2026-03-03T00:00:00Z');
    const paused = await t.service.pause('s', { note: 'db migration', until });
    expect(paused).toMatchObject({
      state: 'paused',
      pausedAt: T0,
      pauseNote: 'db migration',
      pausedUntil: until,
    });
    t.clock.advance(60_000);
    const again = await t.service.pause('s', { note: 'longer' });
    expect(again).toMatchObject({ pausedAt: T0, pauseNote: 'longer', pausedUntil: null });
    const resumed = await t.service.resume('s');
    expect(resumed).toMatchObject({
      state: 'enabled',
      pausedAt: null,
      pauseNote: null,
      pausedUntil: null,
      nextRunAt: next,
    });
  });

  it.each<[string, unknown, string]>([
    ['until in the past', { until: at('2026-03-02T11:59:59Z') }, 'until: must be in the future'],
    ['until now', { until: T0 }, 'until: must be in the future'],
    ['until in words', { until: 'later' }, 'until: expected an ISO 8601 instant'],
    ['a long note', { note: 'x'.repeat(2_001) }, 'note: must be at most 2000 characters'],
    ['a NUL in the note', { note: 'a\u0000' }, 'note: must not contain the NUL character'],
  ])('refuses a pause with %s', async (_name, opts, message) => {
    const err = await rejection(t.service.pause('s', opts as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain(message);
    expect((await t.service.get('s')).pausedAt).toBeNull();
  });

  it('says which schedule is unknown', async () => {
    // Each call starts only when awaited, so no rejection waits unhandled.
    for (const call of [
      () => t.service.setEnabled('x', true),
      () => t.service.pause('x'),
      () => t.service.resume('x'),
    ]) {
      await expect(call()).rejects.toThrow('schedule "x" not found');
    }
  });

  it('finds no schedule for a reference holding a NUL, which no key can', async () => {
    await expect(t.service.get('s\u0000')).rejects.toBeInstanceOf(NotFoundError);
  });
});
