import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scheduleRuns, schedules } from '../schema.js';
import { insertSchedules, useTestDb } from '../test/fixtures.js';
import { lastOutcomesQuery, withLastOutcomes } from './last-outcome.js';

const t0 = new Date('2026-05-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1_000);

describe('withLastOutcomes on the real tables', () => {
  const ctx = useTestDb();

  type Run = [
    status: string,
    finishedAtS: number | null,
    extra?: { result?: unknown; error?: string },
  ];
  interface Expected {
    lastStatus: string | null;
    lastRunAtS: number | null;
    lastResult: unknown;
    lastError: string | null;
  }
  const rowsFor = async (id: string) =>
    withLastOutcomes(
      ctx.handle.db,
      await ctx.handle.db.select().from(schedules).where(eq(schedules.id, id)),
    );

  it.each<[string, string | null, Run[], Expected]>([
    [
      'no runs',
      null,
      [],
      { lastStatus: null, lastRunAtS: null, lastResult: null, lastError: null },
    ],
    [
      'only runs in flight',
      null,
      [
        ['running', null],
        ['queued', null],
      ],
      { lastStatus: null, lastRunAtS: null, lastResult: null, lastError: null },
    ],
    [
      'a success, with its result',
      null,
      [['succeeded', 4, { result: { n: 1 } }]],
      { lastStatus: 'succeeded', lastRunAtS: 4, lastResult: { n: 1 }, lastError: null },
    ],
    [
      'the latest finished, not the latest slot',
      null,
      [
        ['failed', 9, { error: 'late' }],
        ['succeeded', 5, { result: { n: 2 } }],
      ],
      { lastStatus: 'failed', lastRunAtS: 9, lastResult: null, lastError: 'late' },
    ],
    [
      'cancelled and skipped runs do not count',
      null,
      [
        ['succeeded', 3],
        ['cancelled', 8, { error: 'cancelled by an operator' }],
        ['skipped', 9],
      ],
      { lastStatus: 'succeeded', lastRunAtS: 3, lastResult: null, lastError: null },
    ],
    [
      'a cadence error wins over the last run',
      'bad cron',
      [['succeeded', 2, { result: { n: 3 } }]],
      { lastStatus: 'invalid', lastRunAtS: 2, lastResult: { n: 3 }, lastError: 'bad cron' },
    ],
    [
      'a cadence error before any run',
      'unknown time zone',
      [],
      { lastStatus: 'invalid', lastRunAtS: null, lastResult: null, lastError: 'unknown time zone' },
    ],
  ])('%s', async (_name, cadenceError, runs, expected) => {
    const [s] = await insertSchedules(ctx.handle, 1, { cadenceError });
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
    const { lastRunAtS, ...fields } = expected;
    expect(row).toMatchObject(fields);
    expect(row!.lastRunAt?.toISOString() ?? null).toBe(
      lastRunAtS === null ? null : at(lastRunAtS).toISOString(),
    );
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
    const query = lastOutcomesQuery(ctx.handle.db, [s!.id]).toSQL();
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
