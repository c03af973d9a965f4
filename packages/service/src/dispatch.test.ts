import { NotFoundError } from '@cronfleet/core';
import { scheduleRuns, schedules } from '@cronfleet/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SERVICE_CLAIMANT } from './dispatch.js';
import { SUPERSEDED_REASON } from '@cronfleet/db';
import { ValidationError } from './errors.js';
import { T0, at, insertRun, openServiceEnv, type ServiceEnv } from './test/env.js';

let t: ServiceEnv;
beforeAll(async () => {
  t = await openServiceEnv();
});
afterAll(async () => t?.close());
beforeEach(async () => t.reset());

const next = at('2026-03-02T13:00:00Z');

async function schedule(overlapPolicy = 'skip', extra: Record<string, unknown> = {}) {
  const view = await t.service.create({
    key: 'job',
    handler: 'noop',
    intervalSeconds: 3_600,
    overlapPolicy: overlapPolicy as 'skip',
    ...extra,
  });
  await t.db.update(schedules).set({ nextRunAt: next }).where(eq(schedules.id, view.id));
  return view;
}

describe('runNow', () => {
  it('writes a manual run for now, hands it to Redis and leaves next_run_at alone', async () => {
    const s = await schedule();
    const result = await t.service.runNow('job');
    expect(result).toMatchObject({ status: 'queued', queued: true, cancelledRunIds: [] });
    expect(result.run).toMatchObject({
      scheduleId: s.id,
      trigger: 'manual',
      status: 'queued',
      scheduledFor: T0,
      claimedBy: SERVICE_CLAIMANT,
      enqueuedAt: T0,
    });
    expect(await t.queue.existing([result.run.id])).toEqual(new Set([result.run.id]));
    expect((await t.service.get(s.id)).nextRunAt).toEqual(next);
  });

  it.each<[string, string[], 'queued' | 'skipped', number]>([
    ['skip, nothing in flight', [], 'queued', 0],
    ['skip, finished runs only', ['succeeded', 'failed', 'skipped', 'cancelled'], 'queued', 0],
    ['skip, one queued', ['queued'], 'skipped', 0],
    ['skip, one running', ['running'], 'skipped', 0],
    ['allow, one running', ['running'], 'queued', 0],
    ['buffer_one, one running', ['running'], 'queued', 0],
    ['buffer_one, one running and one waiting', ['running', 'retrying'], 'skipped', 0],
    ['cancel_previous, nothing in flight', [], 'queued', 0],
    ['cancel_previous, one running and one pending', ['running', 'pending'], 'queued', 2],
  ])('obeys the overlap policy: %s → %s', async (name, inFlight, status, cancelled) => {
    const s = await schedule(name.split(',')[0]);
    const earlier = [];
    for (const [i, st] of inFlight.entries()) {
      earlier.push(
        await insertRun(t.db, {
          scheduleId: s.id,
          scheduledFor: new Date(T0.getTime() - (i + 1) * 3_600_000),
          status: st,
        }),
      );
    }
    const result = await t.service.runNow('job');
    expect(result.status).toBe(status);
    expect(result.cancelledRunIds.sort()).toEqual(cancelled ? earlier.map((r) => r.id).sort() : []);
    if (status === 'skipped') {
      expect(result).toMatchObject({ reason: 'overlap', queued: false });
      expect(result.run).toMatchObject({
        status: 'skipped',
        reason: 'overlap',
        finishedAt: T0,
        trigger: 'manual',
      });
      expect(await t.queue.existing([result.run.id])).toEqual(new Set());
    }
    if (cancelled) {
      const rows = await t.db
        .select()
        .from(scheduleRuns)
        .where(eq(scheduleRuns.status, 'cancelled'));
      expect(rows.map((r) => [r.reason, r.finishedAt])).toEqual(
        rows.map(() => [SUPERSEDED_REASON, T0]),
      );
    }
  });

  it('runs anyway with force, cancelling nothing', async () => {
    const s = await schedule('cancel_previous');
    const running = await insertRun(t.db, {
      scheduleId: s.id,
      scheduledFor: at('2026-03-02T11:00:00Z'),
      status: 'running',
    });
    const result = await t.service.runNow('job', { force: true });
    expect(result).toMatchObject({ status: 'queued', cancelledRunIds: [] });
    expect(
      (await t.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, running.id)))[0]?.status,
    ).toBe('running');
  });

  it('admits exactly one of many concurrent run-nows under skip (the row lock)', async () => {
    await schedule('skip');
    const results = await Promise.all(Array.from({ length: 6 }, () => t.service.runNow('job')));
    expect(results.map((r) => r.status).sort()).toEqual([
      'queued',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
  });

  it('leaves the run pending for the relay when there is no queue or it fails', async () => {
    await schedule('allow');
    const failing = { enqueue: () => Promise.reject(new Error('redis is away')) };
    for (const service of [t.make(), t.make({ queue: failing })]) {
      const result = await service.runNow('job');
      expect(result).toMatchObject({
        status: 'pending',
        queued: false,
        reason: expect.stringContaining('relay') as unknown,
      });
      expect(result.run).toMatchObject({ status: 'pending', claimedAt: T0, enqueuedAt: null });
    }
  });

  it('rejects an unknown schedule and bad options', async () => {
    await schedule();
    await expect(t.service.runNow('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.service.runNow('job', { force: 'yes' } as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await t.db.$count(scheduleRuns)).toBe(0);
  });
});

describe('backfill', () => {
  const from = at('2026-03-02T06:00:00Z');
  const to = at('2026-03-02T10:00:00Z');
  const hours = (...h: number[]) =>
    h.map((x) => at(`2026-03-02T${String(x).padStart(2, '0')}:00:00Z`));

  it('creates one queued backfill run per slot in [from, to], once', async () => {
    await schedule();
    const first = await t.service.backfill('job', { from, to });
    expect(first).toMatchObject({
      slots: hours(6, 7, 8, 9, 10),
      existing: 0,
      truncated: false,
      queued: true,
    });
    expect(first.runs?.map((r) => [r.trigger, r.status])).toEqual(
      hours(6, 7, 8, 9, 10).map(() => ['backfill', 'queued']),
    );
    expect((await t.queue.existing(first.runs!.map((r) => r.id))).size).toBe(5);
    const again = await t.service.backfill('job', { from, to });
    expect(again).toMatchObject({ slots: [], existing: 5, runs: [] });
    expect(await t.db.$count(scheduleRuns)).toBe(5);
    expect((await t.service.get('job')).nextRunAt).toEqual(next);
  });

  it('skips slots that have a scheduled run, but not those with only a manual run', async () => {
    const s = await schedule();
    await insertRun(t.db, { scheduleId: s.id, scheduledFor: hours(8)[0]!, status: 'succeeded' });
    await insertRun(t.db, {
      scheduleId: s.id,
      scheduledFor: hours(7)[0]!,
      status: 'succeeded',
      trigger: 'manual',
    });
    const result = await t.service.backfill('job', { from, to });
    expect(result).toMatchObject({ slots: hours(6, 7, 9, 10), existing: 1 });
  });

  it('writes nothing in a dry run', async () => {
    await schedule();
    const result = await t.service.backfill('job', { from, to, dryRun: true });
    expect(result).toEqual({ slots: hours(6, 7, 8, 9, 10), existing: 0, truncated: false });
    expect(await t.db.$count(scheduleRuns)).toBe(0);
  });

  it('stops at limit and continues on the next call', async () => {
    await schedule();
    const calls = [];
    for (let i = 0; i < 3; i++) calls.push(await t.service.backfill('job', { from, to, limit: 2 }));
    expect(calls.map((c) => [c.slots, c.truncated])).toEqual([
      [hours(6, 7), true],
      [hours(8, 9), true],
      [hours(10), false],
    ]);
    expect(await t.db.$count(scheduleRuns)).toBe(5);
  });

  it('follows a cron cadence in its zone', async () => {
    await t.service.create({
      key: 'daily',
      handler: 'noop',
      cron: '0 9 * * *',
      timezone: 'America/New_York',
    });
    const result = await t.service.backfill('daily', {
      from: at('2026-02-27T00:00:00Z'),
      to: T0,
      dryRun: true,
    });
    // 09:00 EST is 14:00 UTC; 2 March's 09:00 is still to come at T0 (12:00 UTC).
    expect(result.slots.map((s) => s.toISOString())).toEqual([
      '2026-02-27T14:00:00.000Z',
      '2026-02-28T14:00:00.000Z',
      '2026-03-01T14:00:00.000Z',
    ]);
  });

  it('leaves created runs pending when there is no queue', async () => {
    await schedule();
    const result = await t.make().backfill('job', { from, to: at('2026-03-02T07:00:00Z') });
    expect(result.queued).toBe(false);
    expect(result.runs?.map((r) => r.status)).toEqual(['pending', 'pending']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['to in the future', { from, to: at('2026-03-02T12:00:01Z') }, 'to: must not be in the future'],
    ['from after to', { from: to, to: from }, 'from: must be before to'],
    ['from equal to to', { from, to: from }, 'from: must be before to'],
    ['limit 0', { from, to, limit: 0 }, 'limit: must be at least 1'],
    ['limit 10001', { from, to, limit: 10_001 }, 'limit: must be at most 10000'],
    ['no from', { to }, 'from: '],
    ['a bad date', { from: 'yesterday', to }, 'from: expected an ISO 8601 instant'],
  ])('rejects %s', async (_name, opts, message) => {
    await schedule();
    const err = await t.service.backfill('job', opts as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain(message);
    expect(await t.db.$count(scheduleRuns)).toBe(0);
  });

  it('says which schedule is unknown', async () => {
    await expect(t.service.backfill('nope', { from, to })).rejects.toThrow(
      'schedule "nope" not found',
    );
  });
});
