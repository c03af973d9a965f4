import { setTimeout as sleep } from 'node:timers/promises';
import { createManualClock } from '@cronfleet/core';
import { runAttempts, scheduleRuns, schedules, withLastOutcomes } from '@cronfleet/db';
import { RUN_QUEUE, createRedis, type RunQueue } from '@cronfleet/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import { createTcpProxy, waitFor } from '@cronfleet/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from './test/harness.js';

let h: Harness;
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

interface SlotRow {
  schedule_id: string;
  slots: string[];
}

/** Per schedule, its run slots as epoch seconds, oldest first. */
async function slotsBySchedule(): Promise<Map<string, number[]>> {
  const { rows } = await h.pool.query<SlotRow>(
    `SELECT schedule_id, array_agg(extract(epoch FROM scheduled_for)::bigint::text ORDER BY scheduled_for) AS slots
     FROM schedule_runs GROUP BY schedule_id`,
  );
  return new Map(rows.map((r) => [r.schedule_id, r.slots.map(Number)]));
}

describe('scheduler: exactly one run per slot', () => {
  it('three replicas over 200 one-second schedules for 15 s: no duplicate, no gap', async () => {
    // No workers here: 'allow' keeps every slot a pending run instead of an overlap skip.
    const created = await h.insert(
      Array.from({ length: 200 }, () => ({ intervalSeconds: 1, overlapPolicy: 'allow' })),
    );
    const replicas = ['a', 'b', 'c'].map((id) =>
      h.scheduler({ id, pollMs: 200, batchSize: 64, relayIntervalMs: 1_000 }),
    );
    replicas.forEach((r) => r.start());
    await sleep(15_000);
    await Promise.all(replicas.map((r) => r.stop()));

    const { rows } = await h.pool.query<{
      runs: number;
      distinct: number;
      claimers: number;
      notQueued: number;
    }>(
      `SELECT count(*)::int AS runs, count(DISTINCT (schedule_id, scheduled_for))::int AS distinct,
              count(DISTINCT claimed_by)::int AS claimers,
              count(*) FILTER (WHERE status <> 'queued')::int AS "notQueued" FROM schedule_runs`,
    );
    const totals = rows[0]!;
    expect(totals.runs).toBe(totals.distinct);
    expect(totals.runs).toBeGreaterThan(200 * 10);
    expect(totals.notQueued).toBe(0);
    expect(totals.claimers).toBeGreaterThan(1);

    const bySchedule = await slotsBySchedule();
    expect(bySchedule.size).toBe(created.length);
    for (const [id, slots] of bySchedule) {
      const first = slots[0]!;
      const last = slots[slots.length - 1]!;
      // Every second between the first and last slot has exactly one run.
      expect({ id, count: slots.length }).toEqual({ id, count: last - first + 1 });
    }
    const jobs = await h.queue().queue.getJobCounts('waiting', 'delayed', 'active', 'completed');
    expect(Object.values(jobs).reduce((a, b) => a + b, 0)).toBe(totals.runs);
  });
});

describe('scheduler: hand-off failures', () => {
  it('delivers through the relay a run committed but never enqueued', async () => {
    const clock = createManualClock(new Date('2026-05-01T12:00:00.500Z'));
    const [s] = await h.insert([
      { intervalSeconds: 60, nextRunAt: new Date('2026-05-01T12:00:00Z') },
    ]);
    // The fault: this replica's Redis hand-off dies right after the claim commits.
    const broken: Pick<RunQueue, 'enqueue' | 'fates' | 'ping'> = {
      enqueue: () => Promise.reject(new Error('replica crashed before addBulk')),
      fates: () => Promise.resolve(new Map()),
      ping: () => Promise.resolve(false),
    };
    const crashed = h.scheduler({ id: 'crashed', clock, queue: broken });
    const tick = await crashed.tick();
    expect(tick).toMatchObject({ claimed: 1, queued: 0 });
    const [pending] = await h.db
      .select()
      .from(scheduleRuns)
      .where(eq(scheduleRuns.scheduleId, s!.id));
    expect(pending!.status).toBe('pending');

    const queue = h.queue();
    const survivor = h.scheduler({ id: 'survivor', clock, queue, relayGraceMs: 10_000 });
    expect(await survivor.relay()).toEqual({ stranded: 0, lost: 0, recovered: 0 }); // still inside the grace period
    clock.advance(10_001);
    expect(await survivor.relay()).toEqual({ stranded: 1, lost: 0, recovered: 0 });

    const job = await queue.queue.getJob(pending!.id);
    expect(job?.data).toMatchObject({ runId: pending!.id, scheduleId: s!.id, handler: 'noop' });
    const [after] = await h.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, pending!.id));
    expect(after).toMatchObject({ status: 'queued', claimedBy: 'survivor' });
  });

  it('re-enqueues a queued run whose job Redis lost', async () => {
    const clock = createManualClock(new Date('2026-05-01T12:00:00.500Z'));
    await h.insert([{ intervalSeconds: 60, nextRunAt: new Date('2026-05-01T12:00:00Z') }]);
    const queue = h.queue();
    const scheduler = h.scheduler({ id: 'a', clock, queue, lostAfterMs: 30_000 });
    await scheduler.tick();
    const [run] = await h.db.select().from(scheduleRuns);
    await queue.queue.remove(run!.id); // Redis "lost" it
    clock.advance(30_001);
    expect(await scheduler.relay()).toEqual({ stranded: 0, lost: 1, recovered: 0 });
    expect(await queue.queue.getJob(run!.id)).toBeDefined();
  });

  it('records outcomes that ended in Redis but never reached Postgres', async () => {
    // BullMQ stamps jobs with the real time, so this clock starts there.
    const start = new Date(Math.floor(Date.now() / 1_000) * 1_000 - 1_000);
    const clock = createManualClock(new Date(start.getTime() + 500));
    const [ok, bad, slow] = await h.insert(
      Array.from({ length: 3 }, () => ({ intervalSeconds: 60, nextRunAt: start })),
    );
    const queue = h.queue();
    const scheduler = h.scheduler({ id: 'a', clock, queue, lostAfterMs: 30_000 });
    await scheduler.tick();
    const runOf = async (scheduleId: string) =>
      (await h.db.select().from(scheduleRuns).where(eq(scheduleRuns.scheduleId, scheduleId)))[0]!;
    const [okRun, badRun, slowRun] = [
      await runOf(ok!.id),
      await runOf(bad!.id),
      await runOf(slow!.id),
    ];
    // The fault: a worker whose outcomes never reach Postgres (it died right after BullMQ
    // recorded them). One job succeeds, one fails for good, one is still being run.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const connection = createRedis(h.env.redisUrl, { role: 'worker' });
    const ghost = new Worker(
      RUN_QUEUE,
      async (job) => {
        if (job.id === badRun.id) throw new UnrecoverableError('disk full');
        if (job.id === slowRun.id) await held;
        return { rows: 3 };
      },
      { connection, prefix: h.env.queuePrefix },
    );
    try {
      await waitFor('both quick jobs to end in Redis', async () => {
        const fates = await queue.fates([okRun.id, badRun.id]);
        return [...fates.values()].every((f) => f.state !== 'pending') ? true : undefined;
      });
      expect(await scheduler.relay()).toEqual({ stranded: 0, lost: 0, recovered: 0 }); // not quiet long enough
      clock.advance(30_001);
      expect(await scheduler.relay()).toEqual({ stranded: 0, lost: 0, recovered: 2 });

      expect(await runOf(ok!.id)).toMatchObject({
        status: 'succeeded',
        result: { rows: 3 },
        attempts: 1,
      });
      expect(await runOf(bad!.id)).toMatchObject({ status: 'failed', error: 'disk full' });
      expect(await runOf(slow!.id)).toMatchObject({ status: 'queued', finishedAt: null });
      const attempts = await h.db.select().from(runAttempts);
      expect(attempts.map((a) => [a.runId, a.status, a.workerId]).sort()).toEqual(
        [
          [okRun.id, 'succeeded', 'relay:a'],
          [badRun.id, 'failed', 'relay:a'],
        ].sort(),
      );
      const [schedule] = await withLastOutcomes(
        h.db,
        await h.db.select().from(schedules).where(eq(schedules.id, bad!.id)),
      );
      expect(schedule).toMatchObject({ lastStatus: 'failed', consecutiveFailures: 1 });
      // Recorded once: the next pass finds nothing more to do.
      expect(await scheduler.relay()).toEqual({ stranded: 0, lost: 0, recovered: 0 });
    } finally {
      release();
      await ghost.close();
      connection.disconnect();
    }
  });

  it('loses no slot while Redis is unreachable for a few seconds', async () => {
    const proxy = await createTcpProxy(h.env.redisUrl);
    const proxied = h.queue(proxy.url);
    try {
      await h.insert(
        Array.from({ length: 5 }, () => ({ intervalSeconds: 1, overlapPolicy: 'allow' })),
      );
      const scheduler = h.scheduler({
        id: 'r',
        queue: proxied,
        pollMs: 200,
        relayGraceMs: 1_000,
        relayIntervalMs: 300,
      });
      scheduler.start();
      await waitFor('runs before the outage', async () => (await h.db.$count(scheduleRuns)) >= 10);
      proxy.cut();
      await waitFor(
        'runs left pending during the outage',
        async () => (await h.db.$count(scheduleRuns, eq(scheduleRuns.status, 'pending'))) >= 10,
      );
      expect((await scheduler.readiness()).ready).toBe(false);
      proxy.restore();
      await waitFor(
        'the relay to deliver every pending run',
        async () => (await h.db.$count(scheduleRuns, eq(scheduleRuns.status, 'pending'))) === 0,
      );
      await scheduler.stop();
      const bySchedule = await slotsBySchedule();
      for (const slots of bySchedule.values()) {
        expect(slots.length).toBe(slots[slots.length - 1]! - slots[0]! + 1);
      }
      // Every run, including those claimed during the outage, has its job in Redis.
      const runIds = (await h.db.select({ id: scheduleRuns.id }).from(scheduleRuns)).map(
        (r) => r.id,
      );
      const present = await h.queue().existing(runIds);
      expect(runIds.length).toBeGreaterThanOrEqual(20);
      expect(present.size).toBe(runIds.length);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });

  it('keeps going when Postgres terminates its connections', async () => {
    await h.insert(
      Array.from({ length: 3 }, () => ({ intervalSeconds: 1, overlapPolicy: 'allow' })),
    );
    const scheduler = h.scheduler({ id: 'pg', pollMs: 100 });
    scheduler.start();
    await waitFor('first runs', async () => (await h.db.$count(scheduleRuns)) >= 3);
    for (let i = 0; i < 3; i++) {
      await h.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'test-pg' AND pid <> pg_backend_pid()`,
      );
      await sleep(300);
    }
    const before = await h.db.$count(scheduleRuns);
    await waitFor(
      'runs after the terminations',
      async () => (await h.db.$count(scheduleRuns)) >= before + 6,
    );
    await waitFor('readiness to recover', async () => (await scheduler.readiness()).ready);
  });
});

describe('scheduler: schedule rows', () => {
  it('claims at most maxBatchesPerTick batches across its lanes, each schedule once, and says when more are due', async () => {
    const clock = createManualClock(new Date('2026-05-01T12:00:00Z'));
    await h.insert(
      Array.from({ length: 25 }, () => ({
        intervalSeconds: 3_600,
        nextRunAt: new Date('2026-05-01T11:59:00Z'),
      })),
    );
    const scheduler = h.scheduler({ id: 'lanes', clock, batchSize: 4, maxBatchesPerTick: 3 });
    const first = await scheduler.tick();
    expect(first).toMatchObject({ claimed: 12, queued: 12, more: true });
    const second = await scheduler.tick();
    expect(second).toMatchObject({ claimed: 12, more: true });
    const third = await scheduler.tick();
    expect(third).toMatchObject({ claimed: 1, more: false });
    const slots = await slotsBySchedule();
    expect(slots.size).toBe(25);
    expect([...slots.values()].every((s) => s.length === 1)).toBe(true);
  });

  it('claims a row whose next_run_at was written by hand with microseconds', async () => {
    // SQL's now() keeps microseconds; JavaScript dates keep milliseconds.
    await h.pool.query(
      `INSERT INTO schedules (key, handler, interval_seconds, next_run_at)
       VALUES ('by-sql', 'noop', 60, TIMESTAMPTZ '2026-05-01 11:59:00.123456+00')`,
    );
    const clock = createManualClock(new Date('2026-05-01T12:00:00Z'));
    const scheduler = h.scheduler({ id: 'micro', clock });
    const tick = await scheduler.tick();
    expect(tick).toMatchObject({ claimed: 1, more: false });
    const [run] = await h.db.select().from(scheduleRuns);
    expect(run!.scheduledFor.toISOString()).toBe('2026-05-01T11:59:00.123Z');
    const [row] = await h.db.select().from(schedules);
    expect(row!.nextRunAt!.toISOString()).toBe('2026-05-01T12:00:00.123Z');
  });

  it('gives a hand-written row with next_run_at NULL its first slot, and records an invalid one without stopping', async () => {
    const clock = createManualClock(new Date('2026-05-01T12:00:07Z'));
    await h.pool.query(
      `INSERT INTO schedules (key, handler, interval_seconds) VALUES ('by-hand', 'noop', 10);
       INSERT INTO schedules (key, handler, cron_expression, timezone) VALUES ('bad-zone', 'noop', '* * * * *', 'Mars/Base');
       INSERT INTO schedules (key, handler, cron_expression) VALUES ('bad-cron', 'noop', '61 * * * *');`,
    );
    const scheduler = h.scheduler({ id: 'a', clock });
    await scheduler.tick();
    const rows = new Map((await h.db.select().from(schedules)).map((s) => [s.key, s]));
    expect(rows.get('by-hand')!.nextRunAt!.toISOString()).toBe('2026-05-01T12:00:10.000Z');
    expect(rows.get('bad-zone')!.cadenceError).toMatch(/Mars\/Base/);
    expect(rows.get('bad-cron')!.cadenceError).toMatch(/61/);
    expect(rows.get('by-hand')!.cadenceError).toBeNull();

    clock.advance(3_000);
    const tick = await scheduler.tick();
    expect(tick.claimed).toBe(1);
    const [run] = await h.db.select().from(scheduleRuns);
    expect(run!.scheduledFor.toISOString()).toBe('2026-05-01T12:00:10.000Z');
    expect(await h.queue().queue.getJob(run!.id)).toBeDefined();
    expect(RUN_QUEUE).toBe('runs');
  });
});
