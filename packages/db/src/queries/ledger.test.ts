import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAttempts, scheduleRuns, schedules } from '../schema.js';
import { insertSchedules, openTestDb } from '../test/fixtures.js';
import { finishRuns, startRuns, summarizeOutcomes, type FinishRequest } from './ledger.js';
import { claimStrandedRuns, markRunsQueued } from './relay.js';

const t0 = new Date('2026-03-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1_000);

let ctx: Awaited<ReturnType<typeof openTestDb>>;
beforeAll(async () => {
  ctx = await openTestDb();
});
afterAll(async () => ctx?.close());
beforeEach(async () => {
  await ctx.handle.db.execute(sql`TRUNCATE schedules CASCADE`);
});

async function newRun(status: string, claimedAt = t0) {
  const [s] = await insertSchedules(ctx.handle, 1);
  const [run] = await ctx.handle.db
    .insert(scheduleRuns)
    .values({ scheduleId: s!.id, scheduledFor: claimedAt, status, claimedAt })
    .returning();
  return { scheduleId: s!.id, runId: run!.id };
}

describe('relay queries', () => {
  it('takes only runs pending past the grace period, once', async () => {
    const old = await newRun('pending', at(0));
    await newRun('pending', at(50));
    await newRun('queued', at(0));
    const taken = await claimStrandedRuns(ctx.handle.db, { now: at(60), graceMs: 30_000, limit: 10, claimedBy: 'r1' });
    expect(taken.map((r) => r.runId)).toEqual([old.runId]);
    expect(taken[0]).toMatchObject({ handler: 'noop', trigger: 'schedule', maxAttempts: 3 });
    // Re-stamped: a second relay right after does not take it again.
    const again = await claimStrandedRuns(ctx.handle.db, { now: at(61), graceMs: 30_000, limit: 10, claimedBy: 'r2' });
    expect(again).toEqual([]);
  });

  it('marks only pending runs queued', async () => {
    const pending = await newRun('pending');
    const running = await newRun('running');
    const n = await markRunsQueued(ctx.handle.db, { runIds: [pending.runId, running.runId], now: at(1) });
    expect(n).toBe(1);
    const rows = await ctx.handle.db.select({ id: scheduleRuns.id, status: scheduleRuns.status }).from(scheduleRuns);
    expect(new Map(rows.map((r) => [r.id, r.status]))).toEqual(
      new Map([[pending.runId, 'queued'], [running.runId, 'running']]),
    );
  });
});

describe('startRuns (the start gate)', () => {
  it.each([
    ['pending', true],
    ['queued', true],
    ['retrying', true],
    ['running', true],
    ['succeeded', false],
    ['failed', false],
    ['skipped', false],
  ])('a %s run may start: %s', async (status, expected) => {
    const { runId } = await newRun(status);
    const started = await startRuns(ctx.handle.db, [{ runId, attempt: 1, workerId: 'w1', startedAt: at(1) }]);
    expect(started.has(runId)).toBe(expected);
    expect(await ctx.handle.db.$count(runAttempts)).toBe(expected ? 1 : 0);
  });

  it('refuses unknown runs', async () => {
    const started = await startRuns(ctx.handle.db, [
      { runId: '00000000-0000-4000-8000-000000000000', attempt: 1, workerId: 'w1', startedAt: at(1) },
    ]);
    expect(started.size).toBe(0);
  });
});

describe('finishRuns', () => {
  it('closes attempts and runs and keeps the failure streak per schedule', async () => {
    const a = await newRun('queued');
    const b = await newRun('queued');
    await startRuns(ctx.handle.db, [
      { runId: a.runId, attempt: 1, workerId: 'w1', startedAt: at(1) },
      { runId: b.runId, attempt: 1, workerId: 'w1', startedAt: at(1) },
    ]);
    await ctx.handle.db.update(schedules).set({ consecutiveFailures: 4 }).where(eq(schedules.id, b.scheduleId));
    await finishRuns(ctx.handle.db, [
      { runId: a.runId, scheduleId: a.scheduleId, attempt: 1, outcome: 'succeeded', finishedAt: at(2), durationMs: 1000, result: { ok: 1 } },
      { runId: b.runId, scheduleId: b.scheduleId, attempt: 1, outcome: 'failed', finishedAt: at(2), durationMs: 900, error: 'boom' },
    ]);
    const runs = await ctx.handle.db.select().from(scheduleRuns);
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(byId.get(a.runId)).toMatchObject({ status: 'succeeded', result: { ok: 1 }, attempts: 1 });
    expect(byId.get(b.runId)).toMatchObject({ status: 'failed', error: 'boom' });
    const scheds = new Map((await ctx.handle.db.select().from(schedules)).map((s) => [s.id, s]));
    expect(scheds.get(a.scheduleId)).toMatchObject({ lastStatus: 'succeeded', consecutiveFailures: 0, lastResult: { ok: 1 } });
    expect(scheds.get(b.scheduleId)).toMatchObject({ lastStatus: 'failed', consecutiveFailures: 5, lastError: 'boom' });
    const attempts = await ctx.handle.db.select().from(runAttempts);
    expect(attempts.map((x) => [x.status, x.durationMs]).sort()).toEqual([['failed', 900], ['succeeded', 1000]]);
  });

  it('leaves a retrying run open and does not touch the schedule', async () => {
    const a = await newRun('queued');
    await startRuns(ctx.handle.db, [{ runId: a.runId, attempt: 1, workerId: 'w1', startedAt: at(1) }]);
    await finishRuns(ctx.handle.db, [
      { runId: a.runId, scheduleId: a.scheduleId, attempt: 1, outcome: 'retrying', finishedAt: at(2), durationMs: 5, error: 'flaky' },
    ]);
    const [run] = await ctx.handle.db.select().from(scheduleRuns);
    expect(run).toMatchObject({ status: 'retrying', finishedAt: null, error: 'flaky' });
    const [s] = await ctx.handle.db.select().from(schedules);
    expect(s).toMatchObject({ lastStatus: null, consecutiveFailures: 0 });
  });
});

describe('summarizeOutcomes', () => {
  const req = (scheduleId: string, outcome: FinishRequest['outcome'], s: number): FinishRequest => ({
    runId: `${scheduleId}-${s}`, scheduleId, attempt: 1, outcome, finishedAt: at(s), durationMs: 1,
  });
  it.each([
    ['one success', [req('x', 'succeeded', 1)], { reset: true, trailingFailures: 0, lastStatus: 'succeeded' }],
    ['failures only', [req('x', 'failed', 1), req('x', 'failed', 2)], { reset: false, trailingFailures: 2, lastStatus: 'failed' }],
    ['fail then success', [req('x', 'failed', 1), req('x', 'succeeded', 2)], { reset: true, trailingFailures: 0, lastStatus: 'succeeded' }],
    ['success then fail (out of order input)', [req('x', 'failed', 3), req('x', 'succeeded', 2)], { reset: true, trailingFailures: 1, lastStatus: 'failed' }],
    ['retries are ignored', [req('x', 'retrying', 1), req('x', 'failed', 2)], { reset: false, trailingFailures: 1, lastStatus: 'failed' }],
  ])('%s', (_name, input, expected) => {
    const [summary] = summarizeOutcomes(input);
    expect(summary).toMatchObject(expected);
  });
});
