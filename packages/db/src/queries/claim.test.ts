import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scheduleRuns, schedules } from '../schema.js';
import { insertSchedules, useTestDb } from '../test/fixtures.js';
import { claimDueSchedules, type DueSchedule, type SlotPlan } from './claim.js';
import { initializeNextRuns, nextDueAt, resumeExpiredPauses } from './initialize.js';

const MINUTE = 60_000;
const t0 = new Date('2026-01-05T10:00:00Z');
/** Fires the stored slot and moves one minute on: enough to exercise the SQL without slot logic. */
const everyMinute = (row: DueSchedule): SlotPlan => ({
  runs: [{ slot: row.nextRunAt!, status: 'pending' }],
  next: new Date(row.nextRunAt!.getTime() + MINUTE),
});

const ctx = useTestDb();
/** One claim by replica 'a' of up to 10 due schedules. */
const claimAt = (now: Date, plan: (row: DueSchedule) => SlotPlan = everyMinute) =>
  claimDueSchedules(ctx.handle.db, { now, limit: 10, claimedBy: 'a', plan });

describe('claimDueSchedules', () => {
  it('writes one pending audit row per due slot and advances next_run_at', async () => {
    const [due] = await insertSchedules(ctx.handle, 1, { nextRunAt: t0 });
    await insertSchedules(ctx.handle, 1, { nextRunAt: new Date(t0.getTime() + MINUTE) });
    await insertSchedules(ctx.handle, 1, { nextRunAt: t0, enabled: false });

    const result = await claimAt(t0);

    expect(result.locked).toBe(1);
    expect(result.runs).toHaveLength(1);
    expect(result.runs[0]).toMatchObject({
      scheduleId: due!.id,
      scheduleKey: due!.key,
      handler: 'noop',
      trigger: 'schedule',
      maxAttempts: 3,
    });
    expect(result.runs[0]!.scheduledFor.toISOString()).toBe(t0.toISOString());
    const [run] = await ctx.handle.db.select().from(scheduleRuns);
    expect(run).toMatchObject({ status: 'pending', claimedBy: 'a', trigger: 'schedule' });
    const [row] = await ctx.handle.db.select().from(schedules).where(eq(schedules.id, due!.id));
    expect(row!.nextRunAt!.toISOString()).toBe(new Date(t0.getTime() + MINUTE).toISOString());
  });

  it('lets concurrent claimers split the due set without a duplicate or a gap', async () => {
    await insertSchedules(ctx.handle, 300, { nextRunAt: t0 });
    const claims = await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        claimDueSchedules(ctx.handle.db, { now: t0, limit: 300, claimedBy: id, plan: everyMinute }),
      ),
    );
    const total = claims.reduce((n, c) => n + c.runs.length, 0);
    const again = await claimDueSchedules(ctx.handle.db, {
      now: t0,
      limit: 300,
      claimedBy: 'd',
      plan: everyMinute,
    });
    const [{ runs, distinct }] = (
      await ctx.handle.db.execute(
        sql`SELECT count(*)::int AS runs, count(DISTINCT (schedule_id, scheduled_for))::int AS distinct FROM schedule_runs`,
      )
    ).rows as [{ runs: number; distinct: number }];
    expect(total + again.runs.length).toBe(300);
    expect(runs).toBe(300);
    expect(distinct).toBe(300);
  });

  it('never writes a second run for a slot that already has one (the unique guard)', async () => {
    const [s] = await insertSchedules(ctx.handle, 1, { nextRunAt: t0 });
    await ctx.handle.db
      .insert(scheduleRuns)
      .values({ scheduleId: s!.id, scheduledFor: t0, status: 'succeeded' });
    const result = await claimAt(t0);
    expect(result.runs).toHaveLength(0);
    const count = await ctx.handle.db.$count(scheduleRuns);
    expect(count).toBe(1);
    // A manual run of the same slot is allowed: the guard covers scheduled and backfilled slots.
    await ctx.handle.db
      .insert(scheduleRuns)
      .values({ scheduleId: s!.id, scheduledFor: t0, trigger: 'manual' });
    expect(await ctx.handle.db.$count(scheduleRuns)).toBe(2);
  });

  it('records an unplannable schedule on its row and looks again later', async () => {
    const [s] = await insertSchedules(ctx.handle, 1, { nextRunAt: t0 });
    const recheckAt = new Date(t0.getTime() + MINUTE);
    const result = await claimAt(t0, () => ({
      error: 'timezone "Mars/Base" is not known',
      recheckAt,
    }));
    expect(result.invalid).toEqual([{ key: s!.key, error: 'timezone "Mars/Base" is not known' }]);
    const [row] = await ctx.handle.db.select().from(schedules);
    expect(row!.cadenceError).toBe('timezone "Mars/Base" is not known');
    expect(row!.nextRunAt!.toISOString()).toBe(recheckAt.toISOString());
    expect(await ctx.handle.db.$count(scheduleRuns)).toBe(0);

    // Once it plans again (the definition was fixed), the complaint goes.
    const later = await claimAt(recheckAt);
    expect(later.runs).toHaveLength(1);
    const [fixed] = await ctx.handle.db.select().from(schedules);
    expect(fixed!.cadenceError).toBeNull();
  });

  it('fires several slots of one schedule when the plan asks for catch-up', async () => {
    await insertSchedules(ctx.handle, 1, { nextRunAt: t0 });
    const slots = [0, 1, 2].map((i) => new Date(t0.getTime() + i * MINUTE));
    const result = await claimDueSchedules(ctx.handle.db, {
      now: slots[2]!,
      limit: 10,
      claimedBy: 'a',
      plan: () => ({
        runs: slots.map((slot) => ({ slot, status: 'pending' as const })),
        next: new Date(t0.getTime() + 3 * MINUTE),
      }),
    });
    expect(result.runs.map((r) => r.scheduledFor.toISOString()).sort()).toEqual(
      slots.map((s) => s.toISOString()),
    );
  });
});

describe('initializeNextRuns and nextDueAt', () => {
  it('gives schedules written with next_run_at NULL their first slot', async () => {
    await insertSchedules(ctx.handle, 2);
    expect(await nextDueAt(ctx.handle.db)).toEqual({ nextDueAt: null, uninitialized: true });
    const first = new Date(t0.getTime() + 5_000);
    const result = await initializeNextRuns(ctx.handle.db, {
      now: t0,
      limit: 10,
      plan: () => ({ runs: [], next: first }),
    });
    expect(result.initialized).toBe(2);
    expect(await nextDueAt(ctx.handle.db)).toEqual({ nextDueAt: first, uninitialized: false });
  });
});

describe('claimDueSchedules with policies', () => {
  it('writes skipped rows with their reason and counts only pending runs', async () => {
    const [s] = await insertSchedules(ctx.handle, 1, { nextRunAt: t0 });
    const result = await claimDueSchedules(ctx.handle.db, {
      now: t0,
      limit: 10,
      claimedBy: 'a',
      plan: (row) => ({
        runs: [
          {
            slot: new Date(t0.getTime() - MINUTE),
            status: 'skipped',
            reason: 'catchup: 1 missed slot not run',
          },
          { slot: row.nextRunAt!, status: 'pending' },
        ],
        next: new Date(t0.getTime() + MINUTE),
      }),
    });
    expect(result.runs).toHaveLength(1);
    expect(result.skipped).toBe(1);
    const runs = await ctx.handle.db.select().from(scheduleRuns);
    const skipped = runs.find((r) => r.status === 'skipped')!;
    expect(skipped).toMatchObject({ reason: 'catchup: 1 missed slot not run' });
    expect(skipped.finishedAt).not.toBeNull();
    const [row] = await ctx.handle.db.select().from(schedules).where(eq(schedules.id, s!.id));
    expect(row!.runCount).toBe(1);
  });

  it('tells the plan about runs in flight and cancels them when asked', async () => {
    const [s] = await insertSchedules(ctx.handle, 1, {
      nextRunAt: t0,
      overlapPolicy: 'cancel_previous',
    });
    const [old] = await ctx.handle.db
      .insert(scheduleRuns)
      .values({
        scheduleId: s!.id,
        scheduledFor: new Date(t0.getTime() - MINUTE),
        status: 'running',
      })
      .returning();
    let seen: DueSchedule['inFlight'] | undefined;
    const result = await claimDueSchedules(ctx.handle.db, {
      now: t0,
      limit: 10,
      claimedBy: 'a',
      plan: (row) => {
        seen = row.inFlight;
        return {
          runs: [{ slot: row.nextRunAt!, status: 'pending' }],
          next: new Date(t0.getTime() + MINUTE),
          cancelActive: true,
        };
      },
    });
    expect(seen).toEqual({ running: 1, waiting: 0 });
    expect(result.cancelledRunIds).toEqual([old!.id]);
    const [after] = await ctx.handle.db
      .select()
      .from(scheduleRuns)
      .where(eq(scheduleRuns.id, old!.id));
    expect(after!.status).toBe('cancelled');
    expect(after!.reason).toMatch(/superseded/);
  });

  it('disables a schedule that ran its course and says why', async () => {
    const [s] = await insertSchedules(ctx.handle, 1, { nextRunAt: t0 });
    const result = await claimDueSchedules(ctx.handle.db, {
      now: t0,
      limit: 10,
      claimedBy: 'a',
      plan: (row) => ({
        runs: [{ slot: row.nextRunAt!, status: 'pending' }],
        next: null,
        completed: 'max_runs',
      }),
    });
    expect(result.completed).toEqual([{ key: s!.key, reason: 'max_runs' }]);
    const [row] = await ctx.handle.db.select().from(schedules).where(eq(schedules.id, s!.id));
    expect(row).toMatchObject({ enabled: false, disabledReason: 'max_runs', nextRunAt: null });
  });

  it('passes over paused schedules, and a pause with an end resumes by itself', async () => {
    const [s] = await insertSchedules(ctx.handle, 1, {
      nextRunAt: t0,
      pausedAt: t0,
      pausedUntil: new Date(t0.getTime() + 5 * MINUTE),
      pauseNote: 'maintenance',
    });
    expect((await claimAt(t0)).locked).toBe(0);
    expect(await resumeExpiredPauses(ctx.handle.db, new Date(t0.getTime() + MINUTE))).toEqual([]);
    expect(await resumeExpiredPauses(ctx.handle.db, new Date(t0.getTime() + 5 * MINUTE))).toEqual([
      s!.key,
    ]);
    const [row] = await ctx.handle.db.select().from(schedules).where(eq(schedules.id, s!.id));
    expect(row).toMatchObject({ pausedAt: null, pausedUntil: null, pauseNote: null });
    expect(row!.nextRunAt!.toISOString()).toBe(t0.toISOString());
    expect((await claimAt(t0)).runs).toHaveLength(1);
  });
});
