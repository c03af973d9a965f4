import { createLogger } from '@cronfleet/core';
import {
  createDb,
  runAttempts,
  scheduleRuns,
  type FinishRequest,
  type StartRequest,
} from '@cronfleet/db';
import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger, type Ledger } from './ledger.js';
import { insertScheduleWithRun } from './test/fixtures.js';

const logger = createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let env: TestEnv;
let handle: ReturnType<typeof createDb>;
let ledger: Ledger;

beforeAll(async () => {
  env = await createTestEnv();
  handle = createDb({ url: env.databaseUrl, max: 4 });
  ledger = createLedger({ db: handle.db, logger });
});
afterAll(async () => {
  await ledger?.drain();
  await handle?.close();
  await env?.close();
});

async function queuedRun() {
  const { schedule, run } = await insertScheduleWithRun(handle.db);
  return { runId: run.id, scheduleId: schedule.id };
}

const start = (run: { runId: string; scheduleId: string }, attempt = 1): StartRequest => ({
  ...run,
  attempt,
  workerId: 'w1',
  startedAt: new Date(),
});
const outcome = (
  run: { runId: string; scheduleId: string },
  result: FinishRequest['outcome'],
  attempt = 1,
): FinishRequest => ({
  ...run,
  attempt,
  workerId: 'w1',
  outcome: result,
  finishedAt: new Date(),
  durationMs: 1,
});
const statusOf = async (runId: string) =>
  (await handle.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, runId)))[0]!.status;

describe('worker ledger', () => {
  it('refuses a run whose final outcome it holds but has not written yet', async () => {
    const run = await queuedRun();
    expect(await ledger.start(start(run))).toBe('started');
    // Another session holds the row, so the outcome's write waits and Postgres still says queued.
    const blocker = await handle.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM schedule_runs WHERE id = $1 FOR UPDATE', [run.runId]);
      const written = ledger.finish(outcome(run, 'succeeded'));
      // Delivered again inside the write-behind window.
      expect(await ledger.start(start(run))).toBe('refused');
      // A job held past the gate, about to start the handler, is told not to.
      expect(ledger.running(start(run))).toBe(false);
      expect(await statusOf(run.runId)).toBe('queued');
      await blocker.query('COMMIT');
      await written;
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
    }
    expect(await statusOf(run.runId)).toBe('succeeded');
    expect(await ledger.start(start(run))).toBe('refused');
  });

  it('lets the next attempt of a retrying run start while that outcome is on its way', async () => {
    const run = await queuedRun();
    expect(await ledger.start(start(run))).toBe('started');
    const written = ledger.finish(outcome(run, 'retrying'));
    expect(await ledger.start(start(run, 2))).toBe('started');
    await written;
    await ledger.finish(outcome(run, 'succeeded', 2));
    await ledger.drain();
    expect(await statusOf(run.runId)).toBe('succeeded');
    const attempts = await handle.db
      .select()
      .from(runAttempts)
      .where(eq(runAttempts.runId, run.runId));
    expect(attempts.map((a) => [a.attempt, a.status]).sort()).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
  });

  it('starts a job delivered twice into one gate batch once', async () => {
    const run = await queuedRun();
    const verdicts = await Promise.all([ledger.start(start(run)), ledger.start(start(run))]);
    expect(verdicts.sort()).toEqual(['refused', 'started']);
  });

  it('writes the rest of a batch whose one outcome Postgres refuses', async () => {
    const [bad, good] = await Promise.all([queuedRun(), queuedRun()]);
    // Handed over in one turn, so both go in the same flush.
    const writes = [
      ledger.finish({ ...outcome(bad, 'succeeded'), durationMs: Number.POSITIVE_INFINITY }),
      ledger.finish(outcome(good, 'succeeded')),
    ];
    await Promise.all(writes);
    expect(await statusOf(good.runId)).toBe('succeeded');
    expect(await statusOf(bad.runId)).toBe('queued');
  });

  it('drain() waits for every outcome handed over', async () => {
    const runs = await Promise.all([queuedRun(), queuedRun(), queuedRun()]);
    for (const run of runs) void ledger.finish(outcome(run, 'failed'));
    expect(ledger.backlog()).toBe(3);
    await ledger.drain();
    expect(ledger.backlog()).toBe(0);
    expect(await Promise.all(runs.map((r) => statusOf(r.runId)))).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
  });
});
