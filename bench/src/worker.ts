import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { createDb, type DispatchRun } from '@cronfleet/db';
import { createBuiltinHandlers, createRegistry } from '@cronfleet/handlers';
import { RUN_QUEUE, createRunQueue, toRunJob } from '@cronfleet/queue';
import { createTestEnv } from '@cronfleet/testing';
import { createFleetWorker, jobsHeld } from '@cronfleet/worker';
import {
  prepareMeasurement,
  count,
  expectEqual,
  fail,
  logger,
  seedSchedules,
  stopwatch,
  waitForCount,
  type ArmResult,
} from './common.js';
import { createLatencyTracker } from './latency.js';
import { resetProfile, takeProfile } from './profile.js';

/** Runs per schedule: each schedule fires this many slots, enqueued slot by slot as a scheduler would. */
export const RUNS_PER_SCHEDULE = 10;
const ENQUEUE_CHUNK = 1_000;

const scheduleCount = (jobs: number) => Math.max(1, Math.ceil(jobs / RUNS_PER_SCHEDULE));

/**
 * `jobs` queued runs over `scheduleCount(jobs)` schedules, inserted one slot
 * (one row per schedule) per statement, returned in insertion order.
 */
async function seedQueuedRuns(pool: pg.Pool, jobs: number): Promise<DispatchRun[]> {
  const schedules = scheduleCount(jobs);
  // Several runs of a schedule in flight at once is what overlap `allow` means.
  await seedSchedules(pool, {
    count: schedules,
    dueAt: new Date(Date.UTC(2099, 0, 1)),
    overlapPolicy: 'allow',
  });
  const runs: DispatchRun[] = [];
  const base = Date.UTC(2030, 0, 1);
  for (let slot = 0; runs.length < jobs; slot++) {
    const take = Math.min(schedules, jobs - runs.length);
    const { rows } = await pool.query<{
      id: string;
      schedule_id: string;
      key: string;
      scheduled_for: Date;
    }>(
      `WITH s AS (SELECT id, key FROM schedules ORDER BY key LIMIT $2),
       ins AS (
         INSERT INTO schedule_runs (schedule_id, scheduled_for, trigger, status, claimed_by, claimed_at, enqueued_at)
         SELECT s.id, $1::timestamptz, 'schedule', 'queued', 'bench', now(), now() FROM s
         RETURNING id, schedule_id, scheduled_for)
       SELECT ins.id, ins.schedule_id, s.key, ins.scheduled_for FROM ins JOIN s ON s.id = ins.schedule_id`,
      [new Date(base + slot * 60_000), take],
    );
    for (const r of rows) {
      runs.push({
        runId: r.id,
        scheduleId: r.schedule_id,
        scheduleKey: r.key,
        handler: 'noop',
        payload: {},
        scheduledFor: r.scheduled_for,
        trigger: 'schedule',
        maxAttempts: 3,
        backoffMs: 1000,
        timeoutMs: null,
        jitterSeconds: 0,
        overlapPolicy: 'allow',
      });
    }
  }
  // As for schedules: a production table has statistics, so the start gate and finish are planned with them.
  await pool.query('VACUUM ANALYZE schedule_runs');
  return runs;
}

/** Ours: queued runs in Postgres with their jobs in Redis, then ONE createFleetWorker, timed to the last completion. */
export async function workerOurs(
  jobs: number,
  concurrency: number,
  measured: boolean,
): Promise<ArmResult> {
  const env = await createTestEnv();
  const handle = createDb({
    url: env.databaseUrl,
    logger,
    max: Math.min(8, 2 + Math.ceil(concurrency / 10)),
    applicationName: 'bench-worker',
  });
  const queue = createRunQueue({ redisUrl: env.redisUrl, prefix: env.queuePrefix, logger });
  let fleet: ReturnType<typeof createFleetWorker> | undefined;
  try {
    const runs = await seedQueuedRuns(handle.pool, jobs);
    for (let i = 0; i < runs.length; i += ENQUEUE_CHUNK)
      await queue.enqueue(runs.slice(i, i + ENQUEUE_CHUNK));
    const latency = createLatencyTracker();
    const registry = createRegistry(latency.wrap(createBuiltinHandlers({ db: handle.db })));
    if (measured) await prepareMeasurement();

    resetProfile();
    let completed = 0;
    let failed = 0;
    const watch = stopwatch();
    fleet = createFleetWorker({
      db: handle.db,
      redisUrl: env.redisUrl,
      prefix: env.queuePrefix,
      registry,
      logger,
      workerId: 'bench-worker',
      concurrency,
    });
    latency.attach(fleet.worker);
    fleet.worker.on('completed', () => {
      completed += 1;
    });
    fleet.worker.on('failed', () => {
      failed += 1;
    });
    await waitForCount('ours: completed jobs', () => completed + failed, jobs);
    // Outcomes are written behind BullMQ's completions: the clock stops when
    // the last one is in Postgres, not when BullMQ is done.
    await fleet.settled();
    const { ms, cpuMs, ...cpu } = watch.stop();
    const phases = takeProfile();
    await fleet.stop();
    fleet = undefined;

    expectEqual('ours: failed jobs', failed, 0);
    expectEqual('ours: completed jobs', completed, jobs);
    expectEqual(
      "ours: runs in status 'succeeded'",
      await count(
        handle.pool,
        "SELECT count(*) AS n FROM schedule_runs WHERE status = 'succeeded'",
      ),
      jobs,
    );
    expectEqual(
      'ours: succeeded attempt rows',
      await count(handle.pool, "SELECT count(*) AS n FROM run_attempts WHERE status = 'succeeded'"),
      jobs,
    );
    return {
      count: jobs,
      ms,
      perSecond: (jobs * 1000) / ms,
      cpuMs,
      ...cpu,
      phases,
      notes: [
        `concurrency ${concurrency} handlers, default prefetch: BullMQ holds up to ${jobsHeld(concurrency)} jobs; ${scheduleCount(jobs)} schedules × ${RUNS_PER_SCHEDULE} runs, handler noop`,
        ...latency.notes(),
      ],
    };
  } finally {
    await fleet?.stop();
    await queue.close();
    await handle.close();
    await env.close();
  }
}

/** Baseline: the same jobs (shape and options from toRunJob) added beforehand, then a raw BullMQ Worker with a no-op. */
export async function workerBaseline(
  jobs: number,
  concurrency: number,
  measured: boolean,
): Promise<ArmResult> {
  const env = await createTestEnv();
  const producer = new Redis(env.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const queue = new Queue(RUN_QUEUE, { connection: producer, prefix: env.queuePrefix });
  let connection: Redis | undefined;
  let worker: Worker | undefined;
  try {
    await queue.waitUntilReady();
    const scheduleIds = Array.from({ length: scheduleCount(jobs) }, () => randomUUID());
    const base = Date.UTC(2030, 0, 1);
    const runs: DispatchRun[] = Array.from({ length: jobs }, (_, i) => ({
      runId: randomUUID(),
      scheduleId: scheduleIds[i % scheduleIds.length]!,
      scheduleKey: `bench-${(i % scheduleIds.length) + 1}`,
      handler: 'noop',
      payload: {},
      scheduledFor: new Date(base + Math.floor(i / scheduleIds.length) * 60_000),
      trigger: 'schedule',
      maxAttempts: 3,
      backoffMs: 1000,
      timeoutMs: null,
      jitterSeconds: 0,
      overlapPolicy: 'allow',
    }));
    for (let i = 0; i < runs.length; i += ENQUEUE_CHUNK) {
      await queue.addBulk(runs.slice(i, i + ENQUEUE_CHUNK).map((run) => toRunJob(run)));
    }
    if (measured) await prepareMeasurement();

    resetProfile();
    let completed = 0;
    let failed = 0;
    let lastAt = 0;
    const watch = stopwatch();
    connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    // As many jobs in hand as our worker holds (its handlers plus its
    // prefetch): the raw worker is measured at the same BullMQ concurrency.
    worker = new Worker(RUN_QUEUE, () => Promise.resolve(), {
      connection,
      prefix: env.queuePrefix,
      concurrency: jobsHeld(concurrency),
    });
    const latency = createLatencyTracker();
    latency.attach(worker);
    worker.on('completed', () => {
      completed += 1;
      lastAt = performance.now();
    });
    worker.on('failed', () => {
      failed += 1;
    });
    worker.on('error', (err) => logger.error({ err }, 'baseline worker error'));
    await waitForCount('baseline: completed jobs', () => completed + failed, jobs);
    const { ms, cpuMs, ...cpu } = watch.stop(lastAt);
    const phases = takeProfile();

    expectEqual('baseline: failed jobs', failed, 0);
    expectEqual('baseline: completed jobs', completed, jobs);
    const left = await queue.getJobCounts('wait', 'active', 'delayed');
    if (Object.values(left).some((v) => v > 0))
      fail(`baseline: jobs left in the queue: ${JSON.stringify(left)}`);
    return {
      count: jobs,
      ms,
      perSecond: (jobs * 1000) / ms,
      cpuMs,
      ...cpu,
      phases,
      notes: [
        `BullMQ concurrency ${jobsHeld(concurrency)}, as many jobs as ours holds; async no-op processor`,
        ...latency.notes(),
      ],
    };
  } finally {
    await worker?.close();
    connection?.disconnect();
    await queue.close();
    producer.disconnect();
    await env.close();
  }
}
