import { waitFor } from '@cronfleet/testing';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runAttempts, scheduleRuns, schedules } from '../schema.js';
import { insertSchedules, useTestDb } from '../test/fixtures.js';
import { refusedData } from '../pg-errors.js';
import { withLastOutcomes } from './last-outcome.js';
import {
  finishRuns,
  finishRunsSeparately,
  flushLedger,
  ledgerFlushQuery,
  startRuns,
  type FinishRequest,
} from './ledger.js';
import { claimStrandedRuns, markRunsQueued } from './relay.js';

const t0 = new Date('2026-03-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1_000);

const ctx = useTestDb();

/** Schedule rows with their last outcomes, as every reader sees them. */
async function readSchedules(id?: string) {
  const rows = await ctx.handle.db
    .select()
    .from(schedules)
    .where(id === undefined ? undefined : eq(schedules.id, id));
  return withLastOutcomes(ctx.handle.db, rows);
}

async function newRun(status: string, claimedAt = t0) {
  const [s] = await insertSchedules(ctx.handle, 1);
  const [run] = await ctx.handle.db
    .insert(scheduleRuns)
    .values({ scheduleId: s!.id, scheduledFor: claimedAt, status, claimedAt })
    .returning();
  return { scheduleId: s!.id, runId: run!.id };
}

/** A first attempt of `run` that succeeded at at(2), with `fields` changed. */
const ended = (
  run: { runId: string; scheduleId: string },
  fields: Partial<FinishRequest> = {},
): FinishRequest => ({
  ...run,
  attempt: 1,
  workerId: 'w1',
  outcome: 'succeeded',
  finishedAt: at(2),
  durationMs: 5,
  ...fields,
});

describe('relay queries', () => {
  it('takes only runs pending past the grace period, once', async () => {
    const old = await newRun('pending', at(0));
    await newRun('pending', at(50));
    await newRun('queued', at(0));
    const taken = await claimStrandedRuns(ctx.handle.db, {
      now: at(60),
      graceMs: 30_000,
      limit: 10,
      claimedBy: 'r1',
    });
    expect(taken.map((r) => r.runId)).toEqual([old.runId]);
    expect(taken[0]).toMatchObject({ handler: 'noop', trigger: 'schedule', maxAttempts: 3 });
    // Re-stamped: a second relay right after does not take it again.
    const again = await claimStrandedRuns(ctx.handle.db, {
      now: at(61),
      graceMs: 30_000,
      limit: 10,
      claimedBy: 'r2',
    });
    expect(again).toEqual([]);
  });

  it('marks only pending runs queued', async () => {
    const pending = await newRun('pending');
    const running = await newRun('running');
    const n = await markRunsQueued(ctx.handle.db, {
      runIds: [pending.runId, running.runId],
      now: at(1),
    });
    expect(n).toBe(1);
    const rows = await ctx.handle.db
      .select({ id: scheduleRuns.id, status: scheduleRuns.status })
      .from(scheduleRuns);
    expect(new Map(rows.map((r) => [r.id, r.status]))).toEqual(
      new Map([
        [pending.runId, 'queued'],
        [running.runId, 'running'],
      ]),
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
    const { runId, scheduleId } = await newRun(status);
    const verdicts = await startRuns(ctx.handle.db, [
      { runId, scheduleId, attempt: 1, workerId: 'w1', startedAt: at(1) },
    ]);
    expect(verdicts.get(runId)).toBe(expected ? 'started' : 'refused');
    // The gate only reads: marks and outcomes write.
    expect(await ctx.handle.db.$count(runAttempts)).toBe(0);
    const [row] = await ctx.handle.db.select().from(scheduleRuns);
    expect(row!.status).toBe(status);
  });

  it('refuses unknown runs', async () => {
    const runId = '00000000-0000-4000-8000-000000000000';
    const verdicts = await startRuns(ctx.handle.db, [
      {
        runId,
        scheduleId: '00000000-0000-4000-8000-000000000001',
        attempt: 1,
        workerId: 'w1',
        startedAt: at(1),
      },
    ]);
    expect(verdicts.get(runId)).toBe('refused');
  });
});

describe('marks', () => {
  const request = (run: { runId: string; scheduleId: string }, attempt = 1) => ({
    ...run,
    attempt,
    workerId: 'w1',
    startedAt: at(attempt),
  });
  const outcome = (
    run: { runId: string; scheduleId: string },
    attempt: number,
    result: FinishRequest['outcome'],
  ): FinishRequest => ({
    ...run,
    attempt,
    workerId: 'w1',
    outcome: result,
    finishedAt: at(attempt + 0.5),
    durationMs: 500,
  });
  const state = async (runId: string) => {
    const [run] = await ctx.handle.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, runId));
    const attempts = await ctx.handle.db
      .select()
      .from(runAttempts)
      .where(eq(runAttempts.runId, runId));
    return {
      status: run!.status,
      attempts: run!.attempts,
      rows: attempts.map((a) => [a.attempt, a.status]).sort(),
    };
  };

  it('show a waiting run running with an open attempt row', async () => {
    const run = await newRun('queued');
    await flushLedger(ctx.handle.db, { marks: [request(run)] });
    expect(await state(run.runId)).toEqual({
      status: 'running',
      attempts: 1,
      rows: [[1, 'running']],
    });
    await finishRuns(ctx.handle.db, [outcome(run, 1, 'succeeded')]);
    expect(await state(run.runId)).toEqual({
      status: 'succeeded',
      attempts: 1,
      rows: [[1, 'succeeded']],
    });
  });

  it('never move a run back: a mark landing after its outcome changes nothing', async () => {
    const done = await newRun('queued');
    await finishRuns(ctx.handle.db, [outcome(done, 1, 'succeeded')]);
    const retrying = await newRun('queued');
    await finishRuns(ctx.handle.db, [outcome(retrying, 1, 'retrying')]);
    await flushLedger(ctx.handle.db, { marks: [request(done), request(retrying)] });
    expect(await state(done.runId)).toEqual({
      status: 'succeeded',
      attempts: 1,
      rows: [[1, 'succeeded']],
    });
    expect(await state(retrying.runId)).toEqual({
      status: 'retrying',
      attempts: 1,
      rows: [[1, 'failed']],
    });
    // The next attempt is marked, and its outcome closes the run.
    await flushLedger(ctx.handle.db, { marks: [request(retrying, 2)] });
    expect(await state(retrying.runId)).toEqual({
      status: 'running',
      attempts: 2,
      rows: [
        [1, 'failed'],
        [2, 'running'],
      ],
    });
    await flushLedger(ctx.handle.db, { finishes: [outcome(retrying, 2, 'succeeded')] });
    expect((await state(retrying.runId)).status).toBe('succeeded');
  });

  it('an outcome of an earlier attempt does not overwrite a later one', async () => {
    const run = await newRun('queued');
    await flushLedger(ctx.handle.db, { marks: [request(run, 2)] });
    await finishRuns(ctx.handle.db, [outcome(run, 1, 'retrying')]);
    expect(await state(run.runId)).toEqual({
      status: 'running',
      attempts: 2,
      rows: [
        [1, 'failed'],
        [2, 'running'],
      ],
    });
  });
});

describe('startRuns for serial (buffer_one) runs', () => {
  it('makes a run wait while another run of its schedule is running', async () => {
    const { scheduleId, runId: running } = await newRun('running');
    const [waiting] = await ctx.handle.db
      .insert(scheduleRuns)
      .values({ scheduleId, scheduledFor: at(60), status: 'queued' })
      .returning();
    const req = (runId: string) => ({
      runId,
      scheduleId,
      attempt: 1,
      workerId: 'w1',
      startedAt: at(61),
      serial: true,
    });
    expect((await startRuns(ctx.handle.db, [req(waiting!.id)])).get(waiting!.id)).toBe('busy');
    await ctx.handle.db
      .update(scheduleRuns)
      .set({ status: 'succeeded' })
      .where(eq(scheduleRuns.id, running));
    expect((await startRuns(ctx.handle.db, [req(waiting!.id)])).get(waiting!.id)).toBe('started');
  });

  it('starts only one of two serial runs of a schedule in the same batch or in racing batches', async () => {
    const { scheduleId, runId: a } = await newRun('queued');
    const [b] = await ctx.handle.db
      .insert(scheduleRuns)
      .values({ scheduleId, scheduledFor: at(60), status: 'queued' })
      .returning();
    const [c] = await ctx.handle.db
      .insert(scheduleRuns)
      .values({ scheduleId, scheduledFor: at(120), status: 'queued' })
      .returning();
    const req = (runId: string) => ({
      runId,
      scheduleId,
      attempt: 1,
      workerId: 'w1',
      startedAt: at(121),
      serial: true,
    });
    const [one, two] = await Promise.all([
      startRuns(ctx.handle.db, [req(a), req(b!.id)]),
      startRuns(ctx.handle.db, [req(c!.id)]),
    ]);
    const verdicts = [...one.values(), ...two.values()];
    expect(verdicts.filter((v) => v === 'started')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'busy')).toHaveLength(2);
  });
});

describe('finishRuns', () => {
  it('closes attempts and runs and keeps the failure streak per schedule', async () => {
    const a = await newRun('queued');
    const b = await newRun('queued');
    await startRuns(ctx.handle.db, [
      { runId: a.runId, scheduleId: a.scheduleId, attempt: 1, workerId: 'w1', startedAt: at(1) },
      { runId: b.runId, scheduleId: b.scheduleId, attempt: 1, workerId: 'w1', startedAt: at(1) },
    ]);
    await ctx.handle.db
      .update(schedules)
      .set({ consecutiveFailures: 4 })
      .where(eq(schedules.id, b.scheduleId));
    await finishRuns(ctx.handle.db, [
      {
        runId: a.runId,
        scheduleId: a.scheduleId,
        attempt: 1,
        workerId: 'w1',
        outcome: 'succeeded',
        finishedAt: at(2),
        durationMs: 1000,
        result: { ok: 1 },
      },
      {
        runId: b.runId,
        scheduleId: b.scheduleId,
        attempt: 1,
        workerId: 'w1',
        outcome: 'failed',
        finishedAt: at(2),
        durationMs: 900,
        error: 'boom',
      },
    ]);
    const runs = await ctx.handle.db.select().from(scheduleRuns);
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(byId.get(a.runId)).toMatchObject({
      status: 'succeeded',
      result: { ok: 1 },
      attempts: 1,
    });
    expect(byId.get(b.runId)).toMatchObject({ status: 'failed', error: 'boom' });
    const scheds = new Map((await readSchedules()).map((s) => [s.id, s]));
    expect(scheds.get(a.scheduleId)).toMatchObject({
      lastStatus: 'succeeded',
      consecutiveFailures: 0,
      lastResult: { ok: 1 },
    });
    expect(scheds.get(b.scheduleId)).toMatchObject({
      lastStatus: 'failed',
      consecutiveFailures: 5,
      lastError: 'boom',
    });
    const attempts = await ctx.handle.db.select().from(runAttempts);
    expect(attempts.map((x) => [x.status, x.durationMs]).sort()).toEqual([
      ['failed', 900],
      ['succeeded', 1000],
    ]);
  });

  it('records the rest of a batch when one outcome belongs to a run deleted meanwhile', async () => {
    const kept = await newRun('queued');
    const gone = await newRun('queued');
    // The schedule was removed while its run was executing: its runs went with it.
    await ctx.handle.db.delete(schedules).where(eq(schedules.id, gone.scheduleId));
    await finishRuns(ctx.handle.db, [ended(gone), ended(kept)]);
    const runs = await ctx.handle.db.select().from(scheduleRuns);
    expect(runs.map((r) => [r.id, r.status])).toEqual([[kept.runId, 'succeeded']]);
    const attempts = await ctx.handle.db.select().from(runAttempts);
    expect(attempts.map((a) => [a.runId, a.status])).toEqual([[kept.runId, 'succeeded']]);
  });

  it('stores errors and results holding NULs and lone surrogates, which Postgres refuses', async () => {
    const bad = await newRun('queued');
    const good = await newRun('queued');
    await finishRuns(ctx.handle.db, [
      ended(bad, {
        outcome: 'failed',
        error: 'read \u0000 from the socket',
        result: { raw: 'a\u0000b', lit: '\\u0000', ['k\ud800']: ['x\udc00', '\ud83d\ude00'] },
      }),
      ended(good, { outcome: 'failed', error: 'plain' }),
    ]);
    const runs = new Map((await ctx.handle.db.select().from(scheduleRuns)).map((r) => [r.id, r]));
    expect(runs.get(bad.runId)).toMatchObject({
      status: 'failed',
      error: 'read \ufffd from the socket',
      // A backslash followed by "u0000" is text, not a NUL, and stays as it was.
      result: { raw: 'a\ufffdb', lit: '\\u0000', ['k\ufffd']: ['x\ufffd', '\ud83d\ude00'] },
    });
    expect(runs.get(good.runId)).toMatchObject({ status: 'failed', error: 'plain' });
  });

  it('records outcomes separately when a batch is refused: without its result if need be', async () => {
    const [kept, stripped, refused] = [
      await newRun('queued'),
      await newRun('queued'),
      await newRun('queued'),
    ];
    // A rule of this database that one result breaks, as a stand-in for any refusal.
    await ctx.handle.pool.query(
      "ALTER TABLE schedule_runs ADD CONSTRAINT test_no_poison CHECK (result IS NULL OR NOT result ? 'poison')",
    );
    try {
      const batch = [
        ended(kept, { result: { ok: 1 } }),
        ended(stripped, { result: { poison: 1 } }),
        ended(refused, { durationMs: Number.POSITIVE_INFINITY }),
      ];
      const whole = await finishRuns(ctx.handle.db, batch).catch((err: unknown) => err);
      expect(refusedData(whole)).toBe(true);
      const left = await finishRunsSeparately(ctx.handle.db, batch);
      expect(left.map((l) => l.request.runId)).toEqual([refused.runId]);
      expect(refusedData(left[0]!.error)).toBe(true);
    } finally {
      await ctx.handle.pool.query('ALTER TABLE schedule_runs DROP CONSTRAINT test_no_poison');
    }
    const runs = new Map((await ctx.handle.db.select().from(scheduleRuns)).map((r) => [r.id, r]));
    expect(runs.get(kept.runId)).toMatchObject({ status: 'succeeded', result: { ok: 1 } });
    expect(runs.get(stripped.runId)).toMatchObject({ status: 'succeeded', result: null });
    expect(runs.get(stripped.runId)!.error).toMatch(
      /^Postgres refused this outcome \(.*test_no_poison.*\); its error was: none$/,
    );
    expect(runs.get(refused.runId)!.status).toBe('queued');
  });

  it('leaves a retrying run open and does not touch the schedule', async () => {
    const a = await newRun('queued');
    await startRuns(ctx.handle.db, [
      { runId: a.runId, scheduleId: a.scheduleId, attempt: 1, workerId: 'w1', startedAt: at(1) },
    ]);
    await finishRuns(ctx.handle.db, [
      {
        runId: a.runId,
        scheduleId: a.scheduleId,
        attempt: 1,
        workerId: 'w1',
        outcome: 'retrying',
        finishedAt: at(2),
        durationMs: 5,
        error: 'flaky',
      },
    ]);
    const [run] = await ctx.handle.db.select().from(scheduleRuns);
    expect(run).toMatchObject({ status: 'retrying', finishedAt: null, error: 'flaky' });
    const [s] = await readSchedules();
    expect(s).toMatchObject({ lastStatus: null, consecutiveFailures: 0 });
  });
  it('takes the same attempt twice in one batch, and writes a missing attempt row whole', async () => {
    const a = await newRun('queued');
    const b = await newRun('running');
    await flushLedger(ctx.handle.db, {
      marks: [
        { runId: a.runId, scheduleId: a.scheduleId, attempt: 1, workerId: 'w1', startedAt: at(1) },
      ],
    });
    const done = (runId: string, scheduleId: string): FinishRequest => ({
      runId,
      scheduleId,
      attempt: 1,
      workerId: 'w2',
      outcome: 'succeeded',
      finishedAt: at(3),
      durationMs: 2_000,
    });
    // A job delivered twice into one flush, and a run whose start row is gone.
    await finishRuns(ctx.handle.db, [
      done(a.runId, a.scheduleId),
      done(a.runId, a.scheduleId),
      done(b.runId, b.scheduleId),
    ]);
    const attempts = await ctx.handle.db.select().from(runAttempts);
    const byRun = new Map(attempts.map((x) => [x.runId, x]));
    expect(attempts).toHaveLength(2);
    expect(byRun.get(a.runId)).toMatchObject({ status: 'succeeded', workerId: 'w1' });
    expect(byRun.get(b.runId)).toMatchObject({
      status: 'succeeded',
      workerId: 'w2',
      durationMs: 2_000,
    });
    expect(byRun.get(b.runId)!.startedAt.toISOString()).toBe(at(1).toISOString());
    const runs = await ctx.handle.db.select().from(scheduleRuns);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });
});

describe('auto-pause', () => {
  it('pauses the schedule on the N-th consecutive final failure and says why', async () => {
    const a = await newRun('queued');
    await ctx.handle.db
      .update(schedules)
      .set({ maxConsecutiveFailures: 2, consecutiveFailures: 1 })
      .where(eq(schedules.id, a.scheduleId));
    await startRuns(ctx.handle.db, [
      { runId: a.runId, scheduleId: a.scheduleId, attempt: 1, workerId: 'w1', startedAt: at(1) },
    ]);
    await finishRuns(ctx.handle.db, [
      {
        runId: a.runId,
        scheduleId: a.scheduleId,
        attempt: 1,
        workerId: 'w1',
        outcome: 'failed',
        finishedAt: at(2),
        durationMs: 5,
        error: 'disk full',
      },
    ]);
    const [s] = await readSchedules(a.scheduleId);
    expect(s).toMatchObject({
      consecutiveFailures: 2,
      pauseNote: 'auto-paused after 2 consecutive failures; last error: disk full',
    });
    expect(s!.pausedAt!.toISOString()).toBe(at(2).toISOString());
  });

  it('records a cancelled attempt without touching the run or the schedule', async () => {
    const a = await newRun('queued');
    await startRuns(ctx.handle.db, [
      { runId: a.runId, scheduleId: a.scheduleId, attempt: 1, workerId: 'w1', startedAt: at(1) },
    ]);
    await ctx.handle.db
      .update(scheduleRuns)
      .set({ status: 'cancelled' })
      .where(eq(scheduleRuns.id, a.runId));
    await finishRuns(ctx.handle.db, [
      {
        runId: a.runId,
        scheduleId: a.scheduleId,
        attempt: 1,
        workerId: 'w1',
        outcome: 'cancelled',
        finishedAt: at(2),
        durationMs: 5,
        error: 'run cancelled',
      },
    ]);
    const [run] = await ctx.handle.db
      .select()
      .from(scheduleRuns)
      .where(eq(scheduleRuns.id, a.runId));
    expect(run!.status).toBe('cancelled');
    const [attempt] = await ctx.handle.db.select().from(runAttempts);
    expect(attempt).toMatchObject({ status: 'failed', error: 'run cancelled' });
    const [s] = await readSchedules(a.scheduleId);
    expect(s).toMatchObject({ lastStatus: null, consecutiveFailures: 0 });
  });
});

describe('schedule summaries from one batch of outcomes', () => {
  /** A schedule with a failure streak of 4 and one queued run per outcome. */
  async function scheduleWithRuns(count: number) {
    const [s] = await insertSchedules(ctx.handle, 1);
    await ctx.handle.db
      .update(schedules)
      .set({ consecutiveFailures: 4 })
      .where(eq(schedules.id, s!.id));
    const runs = await ctx.handle.db
      .insert(scheduleRuns)
      .values(
        Array.from({ length: count }, (_, i) => ({
          scheduleId: s!.id,
          scheduledFor: at(i),
          status: 'queued',
        })),
      )
      .returning();
    return { scheduleId: s!.id, runIds: runs.map((r) => r.id) };
  }
  type Step = [FinishRequest['outcome'], number];
  /** The outcome of run `runId` of the schedule, finishing at second `second`. */
  const stepOutcome = (
    scheduleId: string,
    runId: string,
    [outcome, second]: Step,
  ): FinishRequest => ({
    runId,
    scheduleId,
    attempt: 1,
    workerId: 'w1',
    outcome,
    finishedAt: at(second),
    durationMs: 1,
    error: outcome === 'succeeded' ? null : 'boom',
  });
  it.each<[string, Step[], { lastStatus: string; consecutiveFailures: number }]>([
    ['one success', [['succeeded', 1]], { lastStatus: 'succeeded', consecutiveFailures: 0 }],
    [
      'failures only',
      [
        ['failed', 1],
        ['failed', 2],
      ],
      { lastStatus: 'failed', consecutiveFailures: 6 },
    ],
    [
      'fail then success',
      [
        ['failed', 1],
        ['succeeded', 2],
      ],
      { lastStatus: 'succeeded', consecutiveFailures: 0 },
    ],
    [
      'success then fail (out of order input)',
      [
        ['failed', 3],
        ['succeeded', 2],
      ],
      { lastStatus: 'failed', consecutiveFailures: 1 },
    ],
    [
      'retries are ignored',
      [
        ['retrying', 1],
        ['failed', 2],
      ],
      { lastStatus: 'failed', consecutiveFailures: 5 },
    ],
  ])('%s', async (_name, steps, expected) => {
    const { scheduleId, runIds } = await scheduleWithRuns(steps.length);
    await finishRuns(
      ctx.handle.db,
      steps.map((step, i) => stepOutcome(scheduleId, runIds[i]!, step)),
    );
    const [row] = await readSchedules(scheduleId);
    expect(row).toMatchObject(expected);
  });

  it("leaves a healthy schedule's row unwritten: its last outcome is read from its runs", async () => {
    const [healthy] = await insertSchedules(ctx.handle, 1);
    const [run] = await ctx.handle.db
      .insert(scheduleRuns)
      .values({ scheduleId: healthy!.id, scheduledFor: at(0), status: 'queued' })
      .returning();
    const version = sql<string>`${schedules}.xmin::text`;
    const rowVersion = async () =>
      (
        await ctx.handle.db
          .select({ v: version })
          .from(schedules)
          .where(eq(schedules.id, healthy!.id))
      )[0]?.v;
    const before = await rowVersion();
    await finishRuns(ctx.handle.db, [
      {
        runId: run!.id,
        scheduleId: healthy!.id,
        attempt: 1,
        workerId: 'w1',
        outcome: 'succeeded',
        finishedAt: at(7),
        durationMs: 1,
        result: { n: 7 },
      },
    ]);
    expect(await rowVersion()).toBe(before);
    const [row] = await readSchedules(healthy!.id);
    expect(row).toMatchObject({
      consecutiveFailures: 0,
      lastStatus: 'succeeded',
      lastResult: { n: 7 },
      lastError: null,
    });
    expect(row!.lastRunAt!.toISOString()).toBe(at(7).toISOString());
  });

  it('a success recorded while another flush records a failure waits for it, then ends the streak', async () => {
    const [healthy] = await insertSchedules(ctx.handle, 1);
    const [failedRun, okRun] = await ctx.handle.db
      .insert(scheduleRuns)
      .values([
        { scheduleId: healthy!.id, scheduledFor: at(0), status: 'queued' },
        { scheduleId: healthy!.id, scheduledFor: at(1), status: 'queued' },
      ])
      .returning();
    const outcome = (runId: string, ok: boolean, second: number): FinishRequest => ({
      runId,
      scheduleId: healthy!.id,
      attempt: 1,
      workerId: ok ? 'w2' : 'w1',
      outcome: ok ? 'succeeded' : 'failed',
      finishedAt: at(second),
      durationMs: 1,
      error: ok ? null : 'boom',
    });
    // Worker 1's flush records the failure and has not committed yet.
    const first = await ctx.handle.pool.connect();
    try {
      await first.query('BEGIN');
      await flushLedger(first, { finishes: [outcome(failedRun!.id, false, 2)] });
      // Worker 2's flush of a later success starts from a snapshot where the
      // streak is still 0; it must wait for the row, not skip it.
      const second = finishRuns(ctx.handle.db, [outcome(okRun!.id, true, 3)]);
      await waitFor('the success to wait for the schedule row', async () => {
        const { rows } = await ctx.handle.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0]!.n > 0 ? true : undefined;
      });
      await first.query('COMMIT');
      await second;
    } finally {
      first.release();
    }
    const [row] = await readSchedules(healthy!.id);
    expect(row).toMatchObject({ consecutiveFailures: 0, lastStatus: 'succeeded' });
  });

  it.each<[string, Step, Step, { lastStatus: string; consecutiveFailures: number }]>([
    // The success finished last: a failure recorded after it (a relay copying
    // from Redis) does not start a streak.
    [
      'a late failure',
      ['succeeded', 3],
      ['failed', 2],
      { lastStatus: 'succeeded', consecutiveFailures: 0 },
    ],
    // The failure finished last: a success recorded after it does not end the streak.
    [
      'a late success',
      ['failed', 5],
      ['succeeded', 3],
      { lastStatus: 'failed', consecutiveFailures: 5 },
    ],
  ])('follows finish times, not recording order: %s', async (_name, first, second, expected) => {
    const { scheduleId, runIds } = await scheduleWithRuns(2);
    for (const [i, step] of [first, second].entries()) {
      await finishRuns(ctx.handle.db, [stepOutcome(scheduleId, runIds[i]!, step)]);
    }
    const [row] = await readSchedules(scheduleId);
    expect(row).toMatchObject(expected);
  });

  it('counts an outcome recorded twice once (a relay and a late worker write)', async () => {
    const { scheduleId, runIds } = await scheduleWithRuns(1);
    const failed: FinishRequest = {
      runId: runIds[0]!,
      scheduleId,
      attempt: 1,
      workerId: 'w1',
      outcome: 'failed',
      finishedAt: at(1),
      durationMs: 1,
      error: 'boom',
    };
    await finishRuns(ctx.handle.db, [failed]);
    await finishRuns(ctx.handle.db, [{ ...failed, workerId: 'relay:r1' }]);
    const [row] = await readSchedules(scheduleId);
    expect(row).toMatchObject({ lastStatus: 'failed', consecutiveFailures: 5 });
  });
});

describe('flush cost', () => {
  /** Rows every plan node produced, over all its loops: the work a statement did, whatever the clock says. */
  function rowVisits(node: {
    'Actual Rows'?: number;
    'Actual Loops'?: number;
    Plans?: unknown[];
  }): number {
    const own = (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 0);
    return (node.Plans ?? []).reduce<number>(
      (sum, child) => sum + rowVisits(child as typeof node),
      own,
    );
  }

  /** One flush of `n` outcomes, one per schedule, each schedule on a failure streak, half failing. */
  async function flushVisits(n: number): Promise<number> {
    const made = await insertSchedules(ctx.handle, n, { consecutiveFailures: 1 });
    const runs = await ctx.handle.db
      .insert(scheduleRuns)
      .values(made.map((s) => ({ scheduleId: s.id, scheduledFor: t0, status: 'queued' })))
      .returning({ id: scheduleRuns.id, scheduleId: scheduleRuns.scheduleId });
    const query = ledgerFlushQuery({
      finishes: runs.map((r, i) => ({
        runId: r.id,
        scheduleId: r.scheduleId,
        attempt: 1,
        workerId: 'w1',
        outcome: i % 2 === 0 ? 'failed' : 'succeeded',
        finishedAt: at(i),
        durationMs: 1,
        error: i % 2 === 0 ? 'boom' : null,
      })),
    })!;
    const { rows } = await ctx.handle.pool.query<{
      'QUERY PLAN': [{ Plan: Parameters<typeof rowVisits>[0] }];
    }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`, query.values);
    const streaks = await ctx.handle.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM schedules WHERE id = ANY($1::uuid[]) AND consecutive_failures = 2',
      [made.map((s) => s.id)],
    );
    // The statement did its job: every failure extended its schedule's streak.
    expect(streaks.rows[0]!.n).toBe(Math.ceil(n / 2));
    return rowVisits(rows[0]!['QUERY PLAN'][0].Plan);
  }

  it('does work in proportion to its batch, not to its square', async () => {
    const small = await flushVisits(100);
    const large = await flushVisits(400);
    // Four times the outcomes: about four times the rows. A CTE the planner
    // rescans per outcome (it once did, at one row per CTE guessed) makes this sixteen.
    expect(large / small).toBeLessThan(6);
  });
});
