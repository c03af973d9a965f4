import { runAttempts, scheduleRuns, schedules, type NewSchedule } from '@cronfleet/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWER_TOKEN, call, json, openDashboard, type DashboardTest } from './test/env.js';

let t: DashboardTest;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms);
const MIN = 60_000;
const ids: Record<string, string> = {};

async function addSchedule(values: Partial<NewSchedule> & { key: string }) {
  const [row] = await t.db
    .insert(schedules)
    .values({ handler: 'noop', intervalSeconds: 60, ...values })
    .returning();
  ids[values.key] = row!.id;
  return row!;
}

async function addRun(
  name: string,
  values: Omit<typeof scheduleRuns.$inferInsert, 'scheduleId'> & { schedule: string },
) {
  const { schedule, ...rest } = values;
  const [row] = await t.db
    .insert(scheduleRuns)
    .values({ scheduleId: ids[schedule]!, ...rest })
    .returning();
  ids[name] = row!.id;
}

beforeAll(async () => {
  t = await openDashboard();
  await addSchedule({ key: 'ok', nextRunAt: new Date(now + 10_000) });
  await addSchedule({
    key: 'flaky',
    group: 'etl',
    consecutiveFailures: 3,
    nextRunAt: ago(10_000),
  });
  await addSchedule({
    key: 'broken',
    cadenceError: 'bad cron',
    nextRunAt: ago(MIN),
  });
  await addSchedule({ key: 'paused', nextRunAt: ago(MIN), pausedAt: ago(MIN) });
  await addSchedule({ key: 'off', nextRunAt: ago(MIN), enabled: false });
  // Started 1 s, 2 s and 9 s after their slots, in the last hour.
  for (const [name, lag, status] of [
    ['r1', 1_000, 'succeeded'],
    ['r2', 2_000, 'failed'],
    ['r3', 9_000, 'running'],
  ] as const) {
    const slot = ago(10 * MIN + lag);
    const startedAt = new Date(slot.getTime() + lag);
    await addRun(name, {
      schedule: name === 'r2' ? 'flaky' : 'ok',
      scheduledFor: slot,
      startedAt,
      finishedAt: status === 'running' ? null : new Date(startedAt.getTime() + 500),
      status,
      error: status === 'failed' ? 'boom' : null,
      attempts: 1,
    });
  }
  // Not counted: a manual run (no slot to be late for) and an old one.
  await addRun('manual', {
    schedule: 'ok',
    scheduledFor: ago(50 * MIN),
    startedAt: ago(5 * MIN),
    finishedAt: ago(4 * MIN),
    trigger: 'manual',
    status: 'succeeded',
  });
  await addRun('old', {
    schedule: 'ok',
    scheduledFor: ago(180 * MIN),
    startedAt: ago(179 * MIN),
    finishedAt: ago(179 * MIN),
    createdAt: ago(180 * MIN),
    status: 'succeeded',
  });
  await t.db.insert(runAttempts).values([
    {
      runId: ids.r2!,
      attempt: 2,
      workerId: 'w2',
      status: 'failed',
      startedAt: ago(MIN),
      error: 'boom',
    },
    {
      runId: ids.r2!,
      attempt: 1,
      workerId: 'w1',
      status: 'failed',
      startedAt: ago(2 * MIN),
      error: 'boom',
    },
  ]);
});
afterAll(async () => t?.close());

const get = (url: string) => call(t.app, 'GET', url, { token: VIEWER_TOKEN });
type Page = {
  items: { id: string; scheduleKey: string }[];
  total: number;
  limit: number;
  offset: number;
};
const runNames = (page: Page) =>
  page.items.map((r) => Object.keys(ids).find((name) => ids[name] === r.id));

describe('GET /api/runs', () => {
  it('lists runs newest slot first, each with its schedule key', async () => {
    const page = json<Page>(await get('/api/runs'));
    expect(page).toMatchObject({ total: 5, limit: 50, offset: 0 });
    expect(runNames(page)).toEqual(['r1', 'r2', 'r3', 'manual', 'old']);
    expect(page.items[1]).toMatchObject({ scheduleKey: 'flaky', status: 'failed' });
  });

  it.each([
    ['status=succeeded', ['r1', 'manual', 'old']],
    ['trigger=manual', ['manual']],
    ['schedule=flaky', ['r2']],
    [
      `from=${ago(60 * MIN).toISOString()}&to=${ago(10 * MIN + 1_500).toISOString()}`,
      ['r2', 'r3', 'manual'],
    ],
    ['limit=2&offset=1', ['r2', 'r3']],
  ])('?%s', async (query, expected) => {
    expect(runNames(json<Page>(await get(`/api/runs?${query}`)))).toEqual(expected);
  });

  it.each([
    ['status=great', 'status'],
    ['trigger=cron', 'trigger'],
    ['from=yesterday', 'from'],
    [`from=${ago(0).toISOString()}&to=${ago(MIN).toISOString()}`, 'from'],
    ['limit=0', 'limit'],
    ['sort=asc', 'sort'],
  ])('?%s is 400 naming %s', async (query, field) => {
    const res = await get(`/api/runs?${encodeURI(query).replace(/\+/g, '%2B')}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(json<{ issues: { field: string }[] }>(res).issues.map((i) => i.field)).toContain(field);
  });

  it('an unknown schedule is 404', async () => {
    expect((await get('/api/runs?schedule=nope')).statusCode).toBe(404);
  });
});

describe('GET /api/runs/:id', () => {
  it('the run with its attempts, oldest first', async () => {
    const res = await get(`/api/runs/${ids.r2}`);
    expect(res.statusCode).toBe(200);
    const body = json<{
      run: { id: string; scheduleKey: string };
      attempts: { attempt: number }[];
    }>(res);
    expect(body.run).toMatchObject({ id: ids.r2, scheduleKey: 'flaky' });
    expect(body.attempts.map((a) => a.attempt)).toEqual([1, 2]);
  });

  it('an unknown id is 404, an absurd one 400', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await get(`/api/runs/${id}`);
      expect(res.statusCode).toBe(404);
      expect(json(res)).toMatchObject({ error: 'not_found' });
    }
    expect((await get(`/api/runs/${'x'.repeat(101)}`)).statusCode).toBe(400);
  });
});

describe('GET /api/stats', () => {
  it('runs by status this hour, failing schedules and lateness', async () => {
    const res = await get('/api/stats');
    expect(res.statusCode).toBe(200);
    const stats = json<{
      runs: { total: number; byStatus: Record<string, number> };
      failing: {
        schedules: { key: string; lastError: string | null; consecutiveFailures: number }[];
      };
      lateness: Record<string, number | null>;
    }>(res);
    expect(stats.runs.total).toBe(4);
    expect(stats.runs.byStatus).toMatchObject({ succeeded: 2, failed: 1, running: 1, pending: 0 });
    expect(stats.failing.schedules).toEqual([
      expect.objectContaining({ key: 'flaky', consecutiveFailures: 3, lastError: 'boom' }),
      expect.objectContaining({ key: 'broken', consecutiveFailures: 0, lastError: 'bad cron' }),
    ]);
    expect(stats.lateness).toEqual({
      samples: 3,
      p50Ms: 2_000,
      p95Ms: 8_300,
      maxMs: 9_000,
      overdueSchedules: 2,
      overdueAfterMs: 1_000,
    });
  });

  it('takes no parameters', async () => {
    expect((await get('/api/stats?window=2h')).statusCode).toBe(400);
  });
});
