import { NotFoundError } from '@cronfleet/core';
import { runAttempts, type ScheduleRun } from '@cronfleet/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import type { ListRunsOptions } from './runs.js';
import { at, insertRun, openServiceEnv, type ServiceEnv } from './test/env.js';

let t: ServiceEnv;
const runs: Record<string, ScheduleRun> = {};
let aId = '';

beforeAll(async () => {
  t = await openServiceEnv();
  const a = await t.service.create({ key: 'a', handler: 'noop', intervalSeconds: 3_600 });
  const b = await t.service.create({ key: 'b', handler: 'noop', intervalSeconds: 3_600 });
  aId = a.id;
  const seed: [string, string, string, string, string][] = [
    ['a1', a.id, '2026-03-01T01:00:00Z', 'succeeded', 'schedule'],
    ['a2', a.id, '2026-03-01T02:00:00Z', 'failed', 'schedule'],
    ['a3', a.id, '2026-03-01T03:00:00Z', 'succeeded', 'backfill'],
    ['a4', a.id, '2026-03-01T04:00:00Z', 'queued', 'manual'],
    ['b1', b.id, '2026-03-01T01:30:00Z', 'skipped', 'schedule'],
    ['b2', b.id, '2026-03-01T05:00:00Z', 'running', 'schedule'],
  ];
  for (const [name, scheduleId, slot, status, trigger] of seed) {
    runs[name] = await insertRun(t.db, { scheduleId, scheduledFor: at(slot), status, trigger });
  }
  await t.db.insert(runAttempts).values([
    {
      runId: runs.a2!.id,
      attempt: 2,
      workerId: 'w2',
      status: 'failed',
      startedAt: at('2026-03-01T02:00:05Z'),
      error: 'boom',
    },
    {
      runId: runs.a2!.id,
      attempt: 1,
      workerId: 'w1',
      status: 'failed',
      startedAt: at('2026-03-01T02:00:01Z'),
      error: 'boom',
    },
  ]);
});
afterAll(async () => t?.close());

describe('listRuns', () => {
  it.each<[string, ListRunsOptions | (() => ListRunsOptions), string[], number]>([
    ['everything, newest slot first', {}, ['b2', 'a4', 'a3', 'a2', 'b1', 'a1'], 6],
    ['one schedule by key', { ref: 'a' }, ['a4', 'a3', 'a2', 'a1'], 4],
    ['one schedule by id', () => ({ ref: aId }), ['a4', 'a3', 'a2', 'a1'], 4],
    ['a status', { status: 'succeeded' }, ['a3', 'a1'], 2],
    ['a trigger', { trigger: 'schedule' }, ['b2', 'a2', 'b1', 'a1'], 4],
    [
      'a range (inclusive)',
      { from: at('2026-03-01T01:30:00Z'), to: at('2026-03-01T03:00:00Z') },
      ['a3', 'a2', 'b1'],
      3,
    ],
    ['a page', { limit: 2, offset: 1 }, ['a4', 'a3'], 6],
    ['a combination', { ref: 'b', status: 'running' }, ['b2'], 1],
  ])('filters %s', async (_name, opts, names, total) => {
    const page = await t.service.listRuns(typeof opts === 'function' ? opts() : opts);
    const byId = new Map(Object.entries(runs).map(([name, r]) => [r.id, name]));
    expect(page.items.map((r) => byId.get(r.id))).toEqual(names);
    expect(page.total).toBe(total);
  });

  it('carries the schedule key on each run', async () => {
    const { items } = await t.service.listRuns({ limit: 1 });
    expect(items[0]).toMatchObject({ scheduleKey: 'b', id: runs.b2!.id, status: 'running' });
  });

  it.each<[string, unknown, string]>([
    ['an unknown status', { status: 'done' }, 'status'],
    ['an unknown trigger', { trigger: 'cron' }, 'trigger'],
    ['limit 501', { limit: 501 }, 'limit'],
    ['a negative offset', { offset: -5 }, 'offset'],
    ['from after to', { from: at('2026-03-02T00:00:00Z'), to: at('2026-03-01T00:00:00Z') }, 'from'],
    ['a bad date', { from: 'monday' }, 'from'],
  ])('rejects %s', async (_name, opts, field) => {
    const err = await t.service.listRuns(opts as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.field).toBe(field);
  });

  it('says which schedule is unknown', async () => {
    await expect(t.service.listRuns({ ref: 'zzz' })).rejects.toThrow('schedule "zzz" not found');
  });
});

describe('getRun', () => {
  it('returns the run with its key and its attempts in order', async () => {
    const detail = await t.service.getRun(runs.a2!.id);
    expect(detail.run).toMatchObject({ id: runs.a2!.id, scheduleKey: 'a', status: 'failed' });
    expect(detail.attempts.map((x) => [x.attempt, x.workerId])).toEqual([
      [1, 'w1'],
      [2, 'w2'],
    ]);
    expect((await t.service.getRun(runs.a1!.id)).attempts).toEqual([]);
  });

  it.each([
    '00000000-0000-4000-8000-000000000000',
    'not-a-uuid',
    "'; DROP TABLE schedule_runs; --",
    '',
  ])('answers NotFound for %j', async (id) => {
    const err = await t.service.getRun(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe(`run "${id}" not found`);
  });
});
