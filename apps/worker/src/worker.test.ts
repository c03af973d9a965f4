import { createLogger, createManualClock } from '@cronfleet/core';
import {
  createDb,
  runAttempts,
  scheduleRuns,
  schedules,
  withLastOutcomes,
  type DispatchRun,
  type NewSchedule,
  type Schedule,
  type ScheduleRun,
} from '@cronfleet/db';
import {
  NonRetryableError,
  createBuiltinHandlers,
  createRegistry,
  defineHandler,
} from '@cronfleet/handlers';
import { z } from 'zod';
import { createRunQueue, eventsChannel, type RunEvent, type RunQueue } from '@cronfleet/queue';
import { Redis } from 'ioredis';
import { createTestEnv, waitFor, type TestEnv } from '@cronfleet/testing';
import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertScheduleWithRun } from './test/fixtures.js';
import { REGATE_AFTER_MS } from './processor.js';
import { createFleetWorker, type FleetWorker } from './worker.js';

const logger = createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let env: TestEnv;
let handle: ReturnType<typeof createDb>;
let queue: RunQueue;
let worker: FleetWorker;

function startWorker(shutdownTimeoutMs = 30_000) {
  return createFleetWorker({
    db: handle.db,
    redisUrl: env.redisUrl,
    prefix: env.queuePrefix,
    registry: createRegistry([...createBuiltinHandlers({ db: handle.db }), permanentFailure]),
    logger,
    workerId: 'w-test',
    concurrency: 8,
    shutdownTimeoutMs,
    // The live-events test subscribes just before its run: ask Redis every time.
    eventListenerCheckMs: 0,
  });
}

beforeAll(async () => {
  env = await createTestEnv();
  handle = createDb({ url: env.databaseUrl, max: 6 });
  queue = createRunQueue({ redisUrl: env.redisUrl, prefix: env.queuePrefix, logger });
  worker = startWorker();
});
afterAll(async () => {
  await worker?.stop();
  await queue?.close();
  await handle?.close();
  await env?.close();
});

/** A project handler that knows retrying cannot help. */
const permanentFailure = defineHandler({
  name: 'test.permanent',
  payload: z.object({}).strict(),
  run: () => Promise.reject(new NonRetryableError('credentials revoked')),
});

/** Writes a schedule and one queued run for it, and hands the run to Redis the way the scheduler does. */
async function dispatch(
  def: Partial<NewSchedule>,
  run: { status?: string; handler?: string } = {},
) {
  const { schedule, run: row } = await insertScheduleWithRun(handle.db, def, run.status);
  const job = jobFor(schedule, row, run.handler);
  await queue.enqueue([job]);
  return { schedule, run: row, job };
}

/** The job the scheduler would enqueue for this run. */
function jobFor(s: Schedule, r: ScheduleRun, handler = s.handler): DispatchRun {
  return {
    runId: r.id,
    scheduleId: s.id,
    scheduleKey: s.key,
    handler,
    payload: s.payload,
    scheduledFor: r.scheduledFor,
    trigger: 'schedule',
    maxAttempts: s.maxAttempts,
    backoffMs: s.backoffMs,
    timeoutMs: s.timeoutMs,
    jitterSeconds: s.jitterSeconds,
    overlapPolicy: s.overlapPolicy as DispatchRun['overlapPolicy'],
    group: s.group,
  };
}

const FINAL = ['succeeded', 'failed', 'skipped'];
async function finished(runId: string) {
  return waitFor(`run ${runId} to finish`, async () => {
    const [row] = await handle.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, runId));
    return row && FINAL.includes(row.status) ? row : undefined;
  });
}
const attemptsOf = (runId: string) =>
  handle.db
    .select()
    .from(runAttempts)
    .where(eq(runAttempts.runId, runId))
    .orderBy(asc(runAttempts.attempt));
/** The schedule row with its last outcome, as every reader sees it. */
const scheduleOf = async (id: string) =>
  (
    await withLastOutcomes(
      handle.db,
      await handle.db.select().from(schedules).where(eq(schedules.id, id)),
    )
  )[0]!;

describe('worker', () => {
  it('runs a handler and records the run, its attempt and the schedule', async () => {
    const { run, schedule } = await dispatch({ handler: 'noop' });
    const done = await finished(run.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, result: { ok: true } });
    const attempts = await attemptsOf(run.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      status: 'succeeded',
      workerId: 'w-test',
      result: { ok: true },
    });
    expect(await scheduleOf(schedule.id)).toMatchObject({
      lastStatus: 'succeeded',
      consecutiveFailures: 0,
      lastResult: { ok: true },
    });
  });

  it('retries fail {times: 2} with growing gaps and ends succeeded on attempt 3', async () => {
    const { run } = await dispatch({
      handler: 'fail',
      payload: { times: 2 },
      maxAttempts: 3,
      backoffMs: 400,
    });
    const done = await finished(run.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 3 });
    const attempts = await attemptsOf(run.id);
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'succeeded']);
    expect(attempts[0]!.error).toBe('requested failure');
    const starts = attempts.map((a) => a.startedAt.getTime());
    const gaps = [starts[1]! - starts[0]!, starts[2]! - starts[1]!];
    // Backoff 400 ms × 2^(n-1) with ±20 % jitter: the second wait is longer than the first.
    expect(gaps[0]).toBeGreaterThanOrEqual(320);
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
  });

  it('aborts a handler past its timeout and fails the attempt', async () => {
    const { run } = await dispatch({
      handler: 'sleep',
      payload: { ms: 60_000 },
      timeoutMs: 200,
      maxAttempts: 1,
    });
    const done = await finished(run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/timed out after 200 ms/);
    const [attempt] = await attemptsOf(run.id);
    expect(attempt).toMatchObject({ status: 'failed' });
  });

  it.each([
    [
      'an invalid payload',
      { handler: 'sleep', payload: { ms: 'soon' } },
      /invalid payload for handler "sleep": payload\.ms/,
    ],
    [
      'an unknown handler',
      { handler: 'does.not.exist' },
      /unknown handler "does\.not\.exist"; registered handlers: .*noop/,
    ],
    [
      'a NonRetryableError from the handler',
      { handler: 'test.permanent' },
      /^credentials revoked$/,
    ],
  ])('fails %s at once, without retries, saying why', async (_name, def, message) => {
    const { run, schedule } = await dispatch({ ...def, maxAttempts: 5, backoffMs: 10 });
    const done = await finished(run.id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done.error).toMatch(message);
    expect(await attemptsOf(run.id)).toHaveLength(1);
    expect((await scheduleOf(schedule.id)).lastError).toMatch(message);
  });

  it('skips a run that already finished when its job is delivered again', async () => {
    const { run } = await dispatch({ handler: 'fail' }, { status: 'succeeded' });
    const job = await waitFor('the job to complete', async () => {
      // finishedOn and returnvalue are written together when BullMQ completes the job.
      const j = await queue.queue.getJob(run.id);
      return j?.finishedOn ? j : undefined;
    });
    expect(job.returnvalue).toEqual({ skipped: 'run is not startable' });
    expect(await attemptsOf(run.id)).toHaveLength(0);
    const [row] = await handle.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, run.id));
    expect(row!.status).toBe('succeeded');
  });

  it('fails a job that is not a cronfleet run, and runs the real ones beside it', async () => {
    const { run } = await dispatch({ handler: 'noop' });
    const stranger = await queue.queue.add('noop', { runId: 'run-7', scheduleId: 'nightly' });
    const failed = await waitFor('the foreign job to fail', async () => {
      const j = await queue.queue.getJob(stranger.id!);
      return j?.finishedOn ? j : undefined;
    });
    expect(failed.failedReason).toMatch(
      /is not a cronfleet run: its data needs runId and scheduleId UUIDs/,
    );
    expect(failed.attemptsMade).toBe(1);
    expect((await finished(run.id)).status).toBe('succeeded');
  });

  it('counts consecutive final failures on the schedule and resets them on success', async () => {
    const { schedule, run: first } = await dispatch({ handler: 'fail', maxAttempts: 1 });
    await finished(first.id);
    const [second] = await handle.db
      .insert(scheduleRuns)
      .values({
        scheduleId: schedule.id,
        scheduledFor: new Date(Date.UTC(2027, 0, 1)),
        status: 'queued',
      })
      .returning();
    await queue.enqueue([jobFor(schedule, second!)]);
    await finished(second!.id);
    expect(await scheduleOf(schedule.id)).toMatchObject({
      lastStatus: 'failed',
      consecutiveFailures: 2,
      lastError: 'requested failure',
    });

    const [third] = await handle.db
      .insert(scheduleRuns)
      .values({
        scheduleId: schedule.id,
        scheduledFor: new Date(Date.UTC(2028, 0, 1)),
        status: 'queued',
      })
      .returning();
    await queue.enqueue([jobFor(schedule, third!, 'noop')]);
    await finished(third!.id);
    expect(await scheduleOf(schedule.id)).toMatchObject({
      lastStatus: 'succeeded',
      consecutiveFailures: 0,
      lastError: null,
    });
  });
});

describe('live run events', () => {
  it('publishes run.started and run.finished for each run', async () => {
    const sub = new Redis(env.redisUrl);
    const seen: RunEvent[] = [];
    sub.on('message', (_channel: string, text: string) => {
      seen.push(...(JSON.parse(text) as { events: RunEvent[] }).events);
    });
    await sub.subscribe(eventsChannel(env.queuePrefix));
    try {
      const { run, schedule } = await dispatch({ handler: 'noop', group: 'reports' });
      const finished = await waitFor('the run.finished event', () =>
        seen.find((e) => e.runId === run.id && e.type === 'run.finished'),
      );
      expect(finished).toMatchObject({
        scheduleKey: schedule.key,
        group: 'reports',
        status: 'succeeded',
        result: { ok: true },
        attempt: 1,
      });
      expect(seen.find((e) => e.runId === run.id && e.type === 'run.started')).toMatchObject({
        status: 'running',
      });
    } finally {
      sub.disconnect();
    }
  });
});

describe('prefetch', () => {
  it('holds jobs past the gate without running more handlers than its concurrency, and hands them back on stop', async () => {
    await worker.stop();
    let running = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = defineHandler({
      name: 'test.held',
      payload: z.object({}).strict(),
      run: async () => {
        running += 1;
        most = Math.max(most, running);
        await released;
        running -= 1;
      },
    });
    const start = () =>
      createFleetWorker({
        db: handle.db,
        redisUrl: env.redisUrl,
        prefix: env.queuePrefix,
        registry: createRegistry([held]),
        logger,
        workerId: 'w-prefetch',
        concurrency: 2,
        prefetch: 2,
      });
    const first = start();
    const runs: { id: string }[] = [];
    for (let i = 0; i < 5; i++)
      runs.push((await dispatch({ handler: 'test.held', payload: {} })).run);

    // Two handlers run; two more jobs are held (gated, not started); one waits in Redis.
    await waitFor('two handlers running and four jobs held', async () => {
      const counts = await queue.queue.getJobCounts('active', 'wait');
      const load = first.load();
      return (
        running === 2 &&
        load.running === 2 &&
        load.waiting === 2 &&
        counts.active === 4 &&
        counts.wait === 1
      );
    });
    const statuses = async () =>
      (
        await handle.db
          .select({ status: scheduleRuns.status })
          .from(scheduleRuns)
          .where(
            inArray(
              scheduleRuns.id,
              runs.map((r) => r.id),
            ),
          )
      )
        .map((r) => r.status)
        .sort();
    await waitFor('the two started runs marked running', async () => {
      const now = await statuses();
      return now.filter((s) => s === 'running').length === 2 ? now : undefined;
    });
    expect(await statuses()).toEqual(['queued', 'queued', 'queued', 'running', 'running']);

    // Stopping hands the held jobs back at once; the running handlers finish.
    const stopping = first.stop();
    await waitFor('the held jobs back in the queue', async () => {
      const counts = await queue.queue.getJobCounts('active');
      return counts.active === 2;
    });
    release();
    await stopping;
    expect(most).toBe(2);

    // Another worker runs the rest; every run took exactly one attempt.
    const second = start();
    for (const run of runs) expect((await finished(run.id)).status).toBe('succeeded');
    await second.stop();
    expect(most).toBe(2);
    for (const run of runs) expect((await attemptsOf(run.id)).map((a) => a.attempt)).toEqual([1]);
    worker = startWorker();
  });
});

describe('prefetch and a stale gate', () => {
  it('asks the gate again for a job held past REGATE_AFTER_MS, and skips a run cancelled meanwhile', async () => {
    await worker.stop();
    const clock = createManualClock(Date.UTC(2026, 10, 22));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ran: string[] = [];
    const held = defineHandler({
      name: 'test.held',
      payload: z.object({ name: z.string() }).strict(),
      run: async ({ name }) => {
        ran.push(name);
        if (name === 'first') await released;
      },
    });
    const local = createFleetWorker({
      db: handle.db,
      redisUrl: env.redisUrl,
      prefix: env.queuePrefix,
      registry: createRegistry([held]),
      logger,
      workerId: 'w-regate',
      concurrency: 1,
      prefetch: 1,
      clock,
    });
    const first = (await dispatch({ handler: 'test.held', payload: { name: 'first' } })).run;
    await waitFor('the first handler running', () => ran.includes('first'));
    const second = (await dispatch({ handler: 'test.held', payload: { name: 'second' } })).run;
    await waitFor('the second job past the gate, waiting for a slot', () =>
      local.load().waiting === 1 ? true : undefined,
    );
    // Cancelled in Postgres alone (no cancel message reaches the worker), then held past the bound.
    await handle.db
      .update(scheduleRuns)
      .set({ status: 'cancelled', finishedAt: new Date() })
      .where(eq(scheduleRuns.id, second.id));
    clock.advance(REGATE_AFTER_MS + 1);
    release();
    expect((await finished(first.id)).status).toBe('succeeded');
    await waitFor('the second job done with', async () => {
      const counts = await queue.queue.getJobCounts('active', 'wait');
      return counts.active === 0 && counts.wait === 0;
    });
    await local.stop();
    expect(ran).toEqual(['first']);
    expect(await attemptsOf(second.id)).toEqual([]);
    worker = startWorker();
  });
});

describe('worker shutdown', () => {
  it('lets a running handler finish before stopping', async () => {
    const local = startWorker();
    const { run } = await dispatch({ handler: 'sleep', payload: { ms: 1_500 } });
    await waitFor('the run to start', async () => {
      const [row] = await handle.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, run.id));
      return row?.status === 'running';
    });
    // A handler still going is marked running with an open attempt row.
    expect((await attemptsOf(run.id)).map((a) => [a.status, a.finishedAt])).toEqual([
      ['running', null],
    ]);
    // Both workers may have competed for the job; stop both so whichever holds it must drain it.
    await Promise.all([local.stop(), worker.stop()]);
    const [row] = await handle.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, run.id));
    expect(row!.status).toBe('succeeded');
    worker = startWorker();
  });

  it('aborts handlers still running at the shutdown bound; the run stays retryable', async () => {
    await worker.stop();
    const local = startWorker(2_500);
    const { run } = await dispatch({
      handler: 'sleep',
      payload: { ms: 60_000 },
      maxAttempts: 3,
      backoffMs: 60_000,
    });
    await waitFor('the run to start', async () => {
      const [row] = await handle.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, run.id));
      return row?.status === 'running';
    });
    await local.stop();
    const [row] = await handle.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, run.id));
    expect(row).toMatchObject({ status: 'retrying', error: 'worker shutting down' });
    const attempts = await attemptsOf(run.id);
    expect(attempts.map((a) => a.status)).toEqual(['failed']);
    worker = startWorker();
  });
});
