import { createManualClock } from '@cronfleet/core';
import { createDbClock, runAttempts, scheduleRuns, schedules } from '@cronfleet/db';
import { createBuiltinHandlers, createRegistry } from '@cronfleet/handlers';
import { waitFor } from '@cronfleet/testing';
import { createFleetWorker, type FleetWorker } from '@cronfleet/worker';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, testLogger, type Harness } from './test/harness.js';

let h: Harness;
let workers: FleetWorker[] = [];
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.db.execute(sql`TRUNCATE schedules CASCADE`);
});
afterEach(async () => {
  await h.stopSchedulers();
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
});

async function startWorker() {
  const worker = createFleetWorker({
    db: h.db,
    redisUrl: h.env.redisUrl,
    prefix: h.env.queuePrefix,
    registry: createRegistry(createBuiltinHandlers({ db: h.db })),
    logger: testLogger,
    workerId: `w${workers.length}`,
    concurrency: 4,
    shutdownTimeoutMs: 3_000,
  });
  workers.push(worker);
  await worker.ready;
  return worker;
}

const runsOf = (scheduleId: string) =>
  h.db
    .select()
    .from(scheduleRuns)
    .where(eq(scheduleRuns.scheduleId, scheduleId))
    .orderBy(asc(scheduleRuns.scheduledFor));
const MIN = 60_000;
const T0 = new Date('2026-07-01T08:00:00Z');

describe('catch-up after a 2-hour outage of a 1-minute schedule', () => {
  it.each([
    ['skip', 0, 1],
    ['latest', 1, 0],
    ['all', 100, 0],
  ] as const)('%s fires %i runs', async (policy, fired, skipped) => {
    const [s] = await h.insert([
      { intervalSeconds: 60, nextRunAt: T0, catchupPolicy: policy, overlapPolicy: 'allow' },
    ]);
    const clock = createManualClock(T0.getTime() + 2 * 60 * MIN + 30_000);
    const tick = await h.scheduler({ id: `catchup-${policy}`, clock }).tick();
    expect(tick).toMatchObject({ claimed: fired, skipped });
    const runs = await runsOf(s!.id);
    expect(runs.filter((r) => r.status !== 'skipped')).toHaveLength(fired);
    const [row] = await h.db.select().from(schedules).where(eq(schedules.id, s!.id));
    expect(row!.nextRunAt!.toISOString()).toBe('2026-07-01T10:01:00.000Z');
    // What catch-up left out is on the record, not silently gone.
    expect(runs[0]!.reason).toMatch(/^catchup: \d+ missed slots? not run/);
    if (policy === 'all') expect(runs[0]!.reason).toContain('max_catchup 100');
  });
});

describe('overlap policies with a real worker', () => {
  it('skip: a 3-s handler on a 1-s schedule runs once; the slots it covered are skipped', async () => {
    await startWorker();
    const [s] = await h.insert([
      { intervalSeconds: 1, handler: 'sleep', payload: { ms: 3_000 }, overlapPolicy: 'skip' },
    ]);
    const scheduler = h.scheduler({ id: 'ov-skip', pollMs: 100 });
    scheduler.start();
    const first = await waitFor('the first run to succeed', async () =>
      (await runsOf(s!.id)).find((r) => r.status === 'succeeded'),
    );
    await scheduler.stop();
    const covered = (await runsOf(s!.id)).filter(
      (r) => r.scheduledFor > first.scheduledFor && r.scheduledFor < first.finishedAt!,
    );
    expect(covered.length).toBeGreaterThanOrEqual(2);
    expect(covered.every((r) => r.status === 'skipped' && r.reason === 'overlap')).toBe(true);
  });

  it('buffer_one: one run waits behind the running one and starts when it ends; later slots are skipped', async () => {
    await startWorker();
    await startWorker();
    const [s] = await h.insert([
      { intervalSeconds: 1, handler: 'sleep', payload: { ms: 2_500 }, overlapPolicy: 'buffer_one' },
    ]);
    const scheduler = h.scheduler({ id: 'ov-buffer', pollMs: 100 });
    scheduler.start();
    await waitFor(
      'two runs to succeed',
      async () =>
        (await runsOf(s!.id)).filter((r) => r.status === 'succeeded').length >= 2 || undefined,
    );
    await scheduler.stop();
    const runs = await runsOf(s!.id);
    const [a, b] = runs.filter((r) => r.status === 'succeeded');
    // The buffered run is the very next slot, and it started only after the first finished.
    expect(b!.scheduledFor.getTime() - a!.scheduledFor.getTime()).toBe(1_000);
    expect(b!.startedAt!.getTime()).toBeGreaterThanOrEqual(a!.finishedAt!.getTime());
    const between = runs.filter(
      (r) => r.scheduledFor > b!.scheduledFor && r.scheduledFor < a!.finishedAt!,
    );
    expect(between.length).toBeGreaterThanOrEqual(1);
    expect(between.every((r) => r.status === 'skipped' && r.reason === 'overlap')).toBe(true);
  });

  it('cancel_previous: the running run is aborted and recorded cancelled; the new one starts', async () => {
    await startWorker();
    await startWorker();
    const [s] = await h.insert([
      {
        intervalSeconds: 2,
        handler: 'sleep',
        payload: { ms: 60_000 },
        overlapPolicy: 'cancel_previous',
        maxAttempts: 1,
      },
    ]);
    const scheduler = h.scheduler({ id: 'ov-cancel', pollMs: 100 });
    scheduler.start();
    const cancelled = await waitFor('a run to be cancelled while running', async () => {
      const runs = await runsOf(s!.id);
      const c = runs.find((r) => r.status === 'cancelled' && r.startedAt);
      return c && runs.some((r) => r.scheduledFor > c.scheduledFor && r.status === 'running')
        ? c
        : undefined;
    });
    await scheduler.stop();
    expect(cancelled.reason).toMatch(/superseded by a newer run/);
    const [attempt] = await waitFor('the aborted attempt to be recorded', async () => {
      const rows = await h.db
        .select()
        .from(runAttempts)
        .where(and(eq(runAttempts.runId, cancelled.id), eq(runAttempts.status, 'failed')));
      return rows.length ? rows : undefined;
    });
    expect(attempt!.error).toMatch(/run cancelled/);
  });
});

describe('active window and max_runs', () => {
  it('fires only inside [starts_at, ends_at] and disables itself after the last slot', async () => {
    const [s] = await h.insert([
      {
        intervalSeconds: 60,
        overlapPolicy: 'allow',
        startsAt: new Date(T0.getTime() + 5 * MIN),
        endsAt: new Date(T0.getTime() + 10 * MIN),
      },
    ]);
    const clock = createManualClock(T0);
    const scheduler = h.scheduler({ id: 'window', clock });
    for (let m = 0; m <= 12; m++) {
      clock.set(T0.getTime() + m * MIN + 100);
      await scheduler.tick();
    }
    const slots = (await runsOf(s!.id)).map((r) => (r.scheduledFor.getTime() - T0.getTime()) / MIN);
    expect(slots).toEqual([5, 6, 7, 8, 9, 10]);
    const [row] = await h.db.select().from(schedules).where(eq(schedules.id, s!.id));
    expect(row).toMatchObject({ enabled: false, disabledReason: 'ends_at', nextRunAt: null });
  });

  it('stops after max_runs runs', async () => {
    const [s] = await h.insert([
      { intervalSeconds: 60, overlapPolicy: 'allow', nextRunAt: T0, maxRuns: 3 },
    ]);
    const clock = createManualClock(T0);
    const scheduler = h.scheduler({ id: 'maxruns', clock });
    for (let m = 0; m <= 5; m++) {
      clock.set(T0.getTime() + m * MIN + 100);
      await scheduler.tick();
    }
    expect(await runsOf(s!.id)).toHaveLength(3);
    const [row] = await h.db.select().from(schedules).where(eq(schedules.id, s!.id));
    expect(row).toMatchObject({ enabled: false, disabledReason: 'max_runs', runCount: 3 });
  });
});

describe('auto-pause and resume', () => {
  it('pauses on the N-th consecutive failure; resuming fires per the catch-up policy', async () => {
    await startWorker();
    const [s] = await h.insert([
      {
        intervalSeconds: 60,
        handler: 'fail',
        maxAttempts: 1,
        maxConsecutiveFailures: 2,
        nextRunAt: T0,
        overlapPolicy: 'allow',
      },
    ]);
    const clock = createManualClock(T0.getTime() + 100);
    const scheduler = h.scheduler({ id: 'autopause', clock });
    const finalCount = async () =>
      (await runsOf(s!.id)).filter((r) => r.status === 'failed').length;
    await scheduler.tick();
    await waitFor('the first failure', async () => (await finalCount()) === 1);
    clock.set(T0.getTime() + MIN + 100);
    await scheduler.tick();
    await waitFor('the second failure', async () => (await finalCount()) === 2);
    const [paused] = await h.db.select().from(schedules).where(eq(schedules.id, s!.id));
    expect(paused!.pausedAt).not.toBeNull();
    expect(paused!.pauseNote).toBe(
      'auto-paused after 2 consecutive failures; last error: requested failure',
    );

    clock.set(T0.getTime() + 30 * MIN + 100);
    expect((await scheduler.tick()).claimed).toBe(0); // paused: nothing fires
    await h.db
      .update(schedules)
      .set({ pausedAt: null, pauseNote: null, handler: 'noop' })
      .where(eq(schedules.id, s!.id));
    const resumed = await scheduler.tick();
    expect(resumed.claimed).toBe(1); // catch-up 'latest': the 28 missed slots collapse into one run
    const runs = await runsOf(s!.id);
    expect(runs[runs.length - 1]!.scheduledFor.toISOString()).toBe('2026-07-01T08:30:00.000Z');
    expect(runs[runs.length - 1]!.reason).toMatch(/^catchup: 28 missed slots not run/);
  });
});

describe('time comes from the database', () => {
  it('a replica whose clock runs 10 minutes fast neither fires early nor disagrees', async () => {
    const dbNow = (await h.pool.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
    const [s] = await h.insert([
      {
        intervalSeconds: 3600,
        overlapPolicy: 'allow',
        nextRunAt: new Date(dbNow.getTime() + 5 * MIN),
      },
    ]);
    const fast = createManualClock(Date.now() + 10 * MIN);
    const clock = createDbClock({ db: h.db, local: fast, logger: testLogger });
    await clock.sync();
    expect(Math.abs(clock.offsetMs + 10 * MIN)).toBeLessThan(MIN);
    expect((await h.scheduler({ id: 'skewed', clock }).tick()).claimed).toBe(0);
    expect(await runsOf(s!.id)).toHaveLength(0);
    // The same replica trusting its own clock would have fired five minutes early.
    expect((await h.scheduler({ id: 'naive', clock: fast }).tick()).claimed).toBe(1);
  });
});
