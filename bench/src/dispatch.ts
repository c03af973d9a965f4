import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createManualClock } from '@cronfleet/core';
import { createDb, type DispatchRun } from '@cronfleet/db';
import { RUN_QUEUE, createRunQueue, toRunJob, type RunQueue } from '@cronfleet/queue';
import { SCHEDULER_POOL_SIZE, createScheduler, type HandOffQueue } from '@cronfleet/scheduler';
import { createTestEnv } from '@cronfleet/testing';
import {
  prepareMeasurement,
  count,
  expectEqual,
  logger,
  seedSchedules,
  stopwatch,
  type ArmResult,
} from './common.js';
import { resetProfile, takeProfile, timed } from './profile.js';

/** The scheduler's default and apps/scheduler's SCHEDULER_BATCH_SIZE default. */
export const DISPATCH_BATCH_SIZE = 500;

/** Jobs waiting for a worker under the queue (nothing consumes them during the dispatch arms). */
async function jobsInRedis(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('wait', 'delayed', 'prioritized', 'active');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The real queue, with the time spent in its enqueue recorded. */
function timedHandOff(queue: RunQueue): HandOffQueue {
  return {
    enqueue: (runs) => timed('redis: RunQueue.enqueue (addBulk)', () => queue.enqueue(runs)),
    fates: (ids) => queue.fates(ids),
    ping: () => queue.ping(),
  };
}

/**
 * Ours: createScheduler(...).tick() with the real db and queue, until a tick
 * says nothing more is due (the claim loop would tick again at once too).
 */
export async function dispatchOurs(
  n: number,
  batchSize: number,
  measured: boolean,
): Promise<ArmResult> {
  const env = await createTestEnv();
  const handle = createDb({
    url: env.databaseUrl,
    logger,
    // The pool the scheduler app opens.
    max: SCHEDULER_POOL_SIZE,
    applicationName: 'bench-scheduler',
  });
  const queue = createRunQueue({ redisUrl: env.redisUrl, prefix: env.queuePrefix, logger });
  try {
    const dueAt = new Date();
    await seedSchedules(handle.pool, { count: n, dueAt });
    await queue.queue.waitUntilReady();
    if (measured) await prepareMeasurement();
    const scheduler = createScheduler({
      db: handle.db,
      queue: timedHandOff(queue),
      logger,
      id: 'bench-scheduler',
      batchSize,
      // Time stands still at "all due", as the baseline's fixed cutoff does: slots that
      // come due while the arm runs (a minute boundary, a 60 s interval) are not this workload.
      clock: createManualClock(dueAt),
    });
    resetProfile();
    const watch = stopwatch();
    let ticks = 0;
    let claimed = 0;
    let queued = 0;
    for (;;) {
      const result = await timed('tick() total', () => scheduler.tick());
      ticks += 1;
      claimed += result.claimed;
      queued += result.queued;
      if (!result.more) break;
    }
    const { ms, cpuMs, ...cpu } = watch.stop();
    const phases = takeProfile();

    expectEqual('ours: slots claimed by tick()', claimed, n);
    expectEqual('ours: runs marked queued by tick()', queued, n);
    expectEqual(
      'ours: schedule_runs rows',
      await count(handle.pool, 'SELECT count(*) AS n FROM schedule_runs'),
      n,
    );
    expectEqual(
      'ours: schedules with a run',
      await count(handle.pool, 'SELECT count(DISTINCT schedule_id) AS n FROM schedule_runs'),
      n,
    );
    expectEqual(
      "ours: runs in status 'queued'",
      await count(handle.pool, "SELECT count(*) AS n FROM schedule_runs WHERE status = 'queued'"),
      n,
    );
    expectEqual('ours: jobs in Redis', await jobsInRedis(queue.queue), n);
    return {
      count: n,
      ms,
      perSecond: (n * 1000) / ms,
      cpuMs,
      ...cpu,
      phases,
      notes: [`${ticks} tick() calls, batchSize ${batchSize}, maxBatchesPerTick default (20)`],
    };
  } finally {
    await queue.close();
    await handle.close();
    await env.close();
  }
}

interface ClaimedRow {
  id: string;
  key: string;
  handler: string;
  payload: unknown;
  next_run_at: Date;
  max_attempts: number;
  backoff_ms: number;
  timeout_ms: number | null;
  jitter_seconds: number;
  overlap_policy: DispatchRun['overlapPolicy'];
}

const CLAIM_SQL = `
  UPDATE schedules SET next_run_at = next_run_at + interval '1 minute'
  WHERE id = ANY(ARRAY(SELECT id FROM schedules WHERE enabled AND paused_at IS NULL AND next_run_at <= $1
                       ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED))
  RETURNING id, key, handler, payload, next_run_at, max_attempts, backoff_ms, timeout_ms,
            jitter_seconds, overlap_policy`;

const AUDIT_SQL = `
  INSERT INTO schedule_runs (schedule_id, scheduled_for, trigger, status, claimed_by, claimed_at)
  SELECT f.schedule_id, f.next_at - interval '1 minute', 'schedule', 'pending', $3, $4
  FROM unnest($1::uuid[], $2::timestamptz[]) AS f(schedule_id, next_at)
  RETURNING id, schedule_id, scheduled_for`;

/**
 * Baseline: the bare pipeline with pg and BullMQ, per batch one UPDATE … SKIP
 * LOCKED, one multi-row INSERT, one addBulk with jobId = run id and the same
 * job shape (toRunJob). It also returns the columns a job carries, so both
 * arms put the same bytes into Redis, and filters `paused_at IS NULL` like the
 * claim does, so both can use the partial due index.
 */
export async function dispatchBaseline(
  n: number,
  batchSize: number,
  measured: boolean,
): Promise<ArmResult> {
  const env = await createTestEnv();
  const pool = new pg.Pool({
    connectionString: env.databaseUrl,
    max: 4,
    application_name: 'bench-baseline',
  });
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const queue = new Queue(RUN_QUEUE, { connection: redis, prefix: env.queuePrefix });
  try {
    const dueAt = new Date();
    await seedSchedules(pool, { count: n, dueAt });
    await queue.waitUntilReady();
    if (measured) await prepareMeasurement();
    resetProfile();
    const watch = stopwatch();
    let batches = 0;
    let claimedTotal = 0;
    for (;;) {
      const claimed = await pool.query<ClaimedRow>(CLAIM_SQL, [dueAt, batchSize]);
      if (claimed.rows.length === 0) break;
      batches += 1;
      claimedTotal += claimed.rows.length;
      const now = new Date();
      const written = await pool.query<{ id: string; schedule_id: string; scheduled_for: Date }>(
        AUDIT_SQL,
        [
          claimed.rows.map((r) => r.id),
          claimed.rows.map((r) => r.next_run_at),
          'bench-baseline',
          now,
        ],
      );
      const byId = new Map(claimed.rows.map((r) => [r.id, r]));
      const jobs = written.rows.map((w) => {
        const s = byId.get(w.schedule_id)!;
        const run: DispatchRun = {
          runId: w.id,
          scheduleId: w.schedule_id,
          scheduleKey: s.key,
          handler: s.handler,
          payload: s.payload,
          scheduledFor: w.scheduled_for,
          trigger: 'schedule',
          maxAttempts: s.max_attempts,
          backoffMs: s.backoff_ms,
          timeoutMs: s.timeout_ms,
          jitterSeconds: s.jitter_seconds,
          overlapPolicy: s.overlap_policy,
        };
        return toRunJob(run);
      });
      await timed('redis: Queue.addBulk', () => queue.addBulk(jobs));
    }
    const { ms, cpuMs, ...cpu } = watch.stop();
    const phases = takeProfile();

    expectEqual('baseline: slots claimed', claimedTotal, n);
    expectEqual(
      'baseline: schedule_runs rows',
      await count(pool, 'SELECT count(*) AS n FROM schedule_runs'),
      n,
    );
    expectEqual(
      'baseline: schedules with a run',
      await count(pool, 'SELECT count(DISTINCT schedule_id) AS n FROM schedule_runs'),
      n,
    );
    expectEqual('baseline: jobs in Redis', await jobsInRedis(queue), n);
    return {
      count: n,
      ms,
      perSecond: (n * 1000) / ms,
      cpuMs,
      ...cpu,
      phases,
      notes: [`${batches} batches of up to ${batchSize}`],
    };
  } finally {
    await queue.close();
    redis.disconnect();
    await pool.end();
    await env.close();
  }
}
