import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scheduleRuns, schedules } from '../schema.js';
import { insertSchedules, useTestDb } from '../test/fixtures.js';
import { lastFinishedRunsQuery, lastOutcomeOf, withLastOutcomes } from './last-outcome.js';

const t0 = new Date('2026-05-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1_000);

describe('lastOutcomeOf', () => {
  const ok = { finishedAt: at(1), status: 'succeeded', result: { n: 1 }, error: null };
  const bad = { finishedAt: at(2), status: 'failed', result: null, error: 'boom' };
  it.each([
    [
      'no run yet',
      null,
      undefined,
      { lastRunAt: null, lastStatus: null, lastResult: null, lastError: null },
    ],
    [
      'a success',
      null,
      ok,
      { lastRunAt: at(1), lastStatus: 'succeeded', lastResult: { n: 1 }, lastError: null },
    ],
    [
      'a failure',
      null,
      bad,
      { lastRunAt: at(2), lastStatus: 'failed', lastResult: null, lastError: 'boom' },
    ],
    [
      'a cadence error wins over the last run',
      'bad cron',
      ok,
      { lastRunAt: at(1), lastStatus: 'invalid', lastResult: { n: 1 }, lastError: 'bad cron' },
    ],
    [
      'a cadence error before any run',
      'bad zone',
      undefined,
      { lastRunAt: null, lastStatus: 'invalid', lastResult: null, lastError: 'bad zone' },
    ],
  ] as const)('%s', (_name, cadenceError, run, expected) => {
    expect(lastOutcomeOf({ cadenceError }, run)).toEqual(expected);
  });
});

describe('withLastOutcomes on the real tables', () => {
  const ctx = useTestDb();

  type Run = [
    status: string,
    finishedAtS: number | null,
    extra?: { result?: unknown; error?: string },
  ];
  const rowsFor = async (id: string) =>
    withLastOutcomes(
      ctx.handle.db,
      await ctx.handle.db.select().from(schedules).where(eq(schedules.id, id)),
    );

  it.each<
    [
      string,
      Run[],
      { lastStatus: string | null; lastRunAtS: number | null; lastError?: string | null },
    ]
  >([
    ['no runs', [], { lastStatus: null, lastRunAtS: null }],
    [
      'only runs in flight',
      [
        ['running', null],
        ['queued', null],
      ],
      { lastStatus: null, lastRunAtS: null },
    ],
    [
      'the latest finished, not the latest slot',
      [
        ['failed', 9, { error: 'late' }],
        ['succeeded', 5],
      ],
      { lastStatus: 'failed', lastRunAtS: 9, lastError: 'late' },
    ],
    [
      'cancelled and skipped runs do not count',
      [
        ['succeeded', 3],
        ['cancelled', 8],
        ['skipped', 9],
      ],
      { lastStatus: 'succeeded', lastRunAtS: 3, lastError: null },
    ],
  ])('%s', async (_name, runs, expected) => {
    const [s] = await insertSchedules(ctx.handle, 1);
    if (runs.length > 0) {
      await ctx.handle.db.insert(scheduleRuns).values(
        runs.map(([status, finishedAtS, extra], i) => ({
          scheduleId: s!.id,
          scheduledFor: at(i),
          status,
          finishedAt: finishedAtS === null ? null : at(finishedAtS),
          result: extra?.result ?? null,
          error: extra?.error ?? null,
        })),
      );
    }
    const [row] = await rowsFor(s!.id);
    expect(row!.lastStatus).toBe(expected.lastStatus);
    expect(row!.lastRunAt?.toISOString() ?? null).toBe(
      expected.lastRunAtS === null ? null : at(expected.lastRunAtS).toISOString(),
    );
    if ('lastError' in expected) expect(row!.lastError).toBe(expected.lastError);
  });

  it('answers many schedules in one call, each from its own runs', async () => {
    const list = await insertSchedules(ctx.handle, 3);
    await ctx.handle.db.insert(scheduleRuns).values([
      { scheduleId: list[0]!.id, scheduledFor: at(0), status: 'succeeded', finishedAt: at(1) },
      {
        scheduleId: list[1]!.id,
        scheduledFor: at(0),
        status: 'failed',
        finishedAt: at(2),
        error: 'x',
      },
    ]);
    const rows = await withLastOutcomes(
      ctx.handle.db,
      await ctx.handle.db.select().from(schedules),
    );
    const byId = new Map(rows.map((r) => [r.id, r.lastStatus]));
    expect([list[0], list[1], list[2]].map((s) => byId.get(s!.id))).toEqual([
      'succeeded',
      'failed',
      null,
    ]);
  });

  it('probes the last-outcome index rather than reading a schedule’s whole history', async () => {
    const [s] = await insertSchedules(ctx.handle, 1);
    await ctx.handle.db.execute(sql`
      INSERT INTO schedule_runs (schedule_id, scheduled_for, status, finished_at)
      SELECT ${s!.id}::uuid, ${t0}::timestamptz + make_interval(secs => g), 'succeeded',
             ${t0}::timestamptz + make_interval(secs => g + 1)
      FROM generate_series(1, 5000) AS g`);
    await ctx.handle.db.execute(sql`ANALYZE schedule_runs`);
    const query = lastFinishedRunsQuery(ctx.handle.db, [s!.id]).toSQL();
    const plan = await ctx.handle.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN ${query.sql}`,
      query.params,
    );
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Limit[\s\S]*Index Scan using schedule_runs_last_idx/);
    expect(text).not.toMatch(/Sort/);
    const [row] = await rowsFor(s!.id);
    expect(row!.lastRunAt!.toISOString()).toBe(at(5001).toISOString());
  });
});
