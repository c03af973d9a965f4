import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN, call, json, openDashboard, type DashboardTest } from './test/env.js';

let t: DashboardTest;
beforeAll(async () => {
  t = await openDashboard();
});
afterAll(async () => t?.close());
beforeEach(async () => t.reset());

const token = OPERATOR_TOKEN;
type Issue = { field: string; message: string };
type Body = { error: string; message: string; issues?: Issue[] };
const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
  call(t.app, method, url, { token, body });

/** Expects a 400 whose issues name `field`. */
function expectInvalid(res: Awaited<ReturnType<typeof api>>, field: string): Issue | undefined {
  expect(res.statusCode, res.body).toBe(400);
  const body = json<Body>(res);
  expect(body.error).toBe('invalid_input');
  const issue = body.issues?.find((i) => i.field === field);
  expect(issue, `no issue for ${field} in ${res.body}`).toBeDefined();
  return issue;
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

async function seed() {
  await api('POST', '/api/schedules', {
    key: 'a',
    handler: 'noop',
    intervalSeconds: 60,
    group: 'g1',
  });
  await api('POST', '/api/schedules', {
    key: 'b',
    handler: 'noop',
    cron: '*/5 * * * *',
    group: 'g2',
  });
  await api('POST', '/api/schedules', {
    key: 'c',
    handler: 'noop',
    intervalSeconds: 30,
    enabled: false,
  });
}

describe('GET /api/schedules', () => {
  it('lists, filters and pages', async () => {
    await seed();
    const all = json<{ items: { key: string }[]; total: number }>(
      await api('GET', '/api/schedules'),
    );
    expect(all.items.map((s) => s.key)).toEqual(['a', 'b', 'c']);
    expect(all).toMatchObject({ total: 3, limit: 50, offset: 0 });
    const keys = async (query: string) =>
      json<{ items: { key: string }[] }>(await api('GET', `/api/schedules?${query}`)).items.map(
        (s) => s.key,
      );
    expect(await keys('group=g2')).toEqual(['b']);
    expect(await keys('enabled=false')).toEqual(['c']);
    expect(await keys('status=disabled')).toEqual(['c']);
    expect(await keys('limit=1&offset=1')).toEqual(['b']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['offset=-1', 'offset'],
    ['enabled=maybe', 'enabled'],
    ['status=sleepy', 'status'],
    ['colour=red', 'colour'],
    ['group=a&group=b', 'group'],
  ])('?%s is 400 naming %s', async (query, field) => {
    expectInvalid(await api('GET', `/api/schedules?${query}`), field);
  });
});

describe('POST /api/schedules', () => {
  it('creates a schedule: 201 with its view and location', async () => {
    const res = await api('POST', '/api/schedules', {
      key: 'nightly',
      handler: 'noop',
      cron: '0 6 * * 1-5',
      timezone: 'Europe/London',
      payload: {},
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/api/schedules/nightly');
    expect(json(res)).toMatchObject({
      key: 'nightly',
      cronExpression: '0 6 * * 1-5',
      intervalSeconds: null,
      state: 'enabled',
      frequency: 'weekdays at 06:00 (Europe/London)',
    });
  });

  it.each<[string, unknown, string]>([
    ['no handler', { key: 'x', intervalSeconds: 5 }, 'handler'],
    ['an unknown handler', { key: 'x', handler: 'nope', intervalSeconds: 5 }, 'handler'],
    ['a bad key', { key: '-x', handler: 'noop', intervalSeconds: 5 }, 'key'],
    ['a bad cron', { key: 'x', handler: 'noop', cron: '61 * * * *' }, 'cronExpression'],
    [
      'a bad zone',
      { key: 'x', handler: 'noop', cron: '0 * * * *', timezone: 'Mars/Base' },
      'timezone',
    ],
    ['a wrong type', { key: 'x', handler: 'noop', intervalSeconds: '5' }, 'intervalSeconds'],
    ['an unknown field', { key: 'x', handler: 'noop', intervalSeconds: 5, colour: 1 }, 'colour'],
    ['a list body', [1, 2], '(body)'],
  ])('%s is 400 naming the field', async (_name, body, field) => {
    expectInvalid(await api('POST', '/api/schedules', body), field);
  });

  it('malformed JSON is 400; another media type 415; a body over 64 KiB 413', async () => {
    const broken = await call(t.app, 'POST', '/api/schedules', {
      token,
      body: '{"key":',
      headers: { 'content-type': 'application/json' },
    });
    expectInvalid(broken, '(body)');
    const text = await call(t.app, 'POST', '/api/schedules', {
      token,
      body: 'key=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.statusCode).toBe(415);
    const huge = await api('POST', '/api/schedules', {
      key: 'big',
      handler: 'noop',
      intervalSeconds: 5,
      payload: { blob: 'x'.repeat(70_000) },
    });
    expect(huge.statusCode).toBe(413);
    expect(json(huge)).toMatchObject({ error: 'payload_too_large' });
  });

  it('a taken key is 409', async () => {
    await api('POST', '/api/schedules', { key: 'dup', handler: 'noop', intervalSeconds: 5 });
    const res = await api('POST', '/api/schedules', {
      key: 'dup',
      handler: 'noop',
      intervalSeconds: 9,
    });
    expect(res.statusCode).toBe(409);
    expect(json(res)).toMatchObject({ error: 'conflict' });
  });
});

describe('one schedule', () => {
  it('GET by key or id; unknown is 404', async () => {
    await seed();
    const a = json<{ id: string }>(await api('GET', '/api/schedules/a'));
    expect(json(await api('GET', `/api/schedules/${a.id}`))).toMatchObject({ key: 'a' });
    const missing = await api('GET', '/api/schedules/zzz');
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toMatchObject({ error: 'not_found' });
    expect(json(missing).message).toContain('zzz');
    expect((await api('GET', `/api/schedules/${'k'.repeat(201)}`)).statusCode).toBe(400);
  });

  it('PATCH: a cron clears the interval and an interval clears the cron', async () => {
    await seed();
    const toCron = await api('PATCH', '/api/schedules/a', { cron: '0 * * * *' });
    expect(json(toCron)).toMatchObject({ cronExpression: '0 * * * *', intervalSeconds: null });
    const toInterval = await api('PATCH', '/api/schedules/a', { intervalSeconds: 90 });
    expect(json(toInterval)).toMatchObject({ cronExpression: null, intervalSeconds: 90 });
    expectInvalid(await api('PATCH', '/api/schedules/a', { maxAttempts: 0 }), 'maxAttempts');
    expectInvalid(await api('PATCH', '/api/schedules/a', { key: 'renamed' }), 'key');
    expectInvalid(await api('PATCH', '/api/schedules/a', ['text']), '(body)');
    expect((await api('PATCH', '/api/schedules/nope', { intervalSeconds: 5 })).statusCode).toBe(
      404,
    );
  });

  it('DELETE removes it; a second time is 404', async () => {
    await seed();
    const res = await api('DELETE', '/api/schedules/b');
    expect(json(res)).toMatchObject({ key: 'b', deleted: true });
    expect((await api('DELETE', '/api/schedules/b')).statusCode).toBe(404);
  });

  it('enable and disable', async () => {
    await seed();
    expect(json(await api('POST', '/api/schedules/a/disable'))).toMatchObject({
      state: 'disabled',
    });
    expect(json(await api('POST', '/api/schedules/a/enable'))).toMatchObject({ state: 'enabled' });
    expectInvalid(await api('POST', '/api/schedules/a/enable', { now: true }), 'now');
    expect((await api('POST', '/api/schedules/nope/disable')).statusCode).toBe(404);
  });

  it('pause with a note and an end, then resume', async () => {
    await seed();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const paused = json(await api('POST', '/api/schedules/a/pause', { note: 'deploy', until }));
    expect(paused).toMatchObject({ state: 'paused', pauseNote: 'deploy', pausedUntil: until });
    expect(json(await api('POST', '/api/schedules/a/resume'))).toMatchObject({ state: 'enabled' });
    expect(json(await api('POST', '/api/schedules/a/pause'))).toMatchObject({ state: 'paused' });
    expectInvalid(await api('POST', '/api/schedules/a/pause', { until: 'tomorrow' }), 'until');
    expectInvalid(await api('POST', '/api/schedules/a/pause', { until: minutesAgo(5) }), 'until');
    expectInvalid(await api('POST', '/api/schedules/a/pause', { note: 5 }), 'note');
    expect((await api('POST', '/api/schedules/nope/pause', {})).statusCode).toBe(404);
    expect((await api('POST', '/api/schedules/nope/resume')).statusCode).toBe(404);
  });

  it('run now: queued in Redis under the run id; force must be a boolean', async () => {
    await seed();
    const res = await api('POST', '/api/schedules/a/run', { force: true });
    expect(res.statusCode).toBe(200);
    const body = json<{ status: string; queued: boolean; run: { id: string; trigger: string } }>(
      res,
    );
    expect(body).toMatchObject({ status: 'queued', queued: true, run: { trigger: 'manual' } });
    expect(await t.queue.existing([body.run.id])).toEqual(new Set([body.run.id]));
    expect(json(await api('POST', '/api/schedules/a/run'))).toMatchObject({ status: 'skipped' });
    expectInvalid(await api('POST', '/api/schedules/a/run', { force: 'yes' }), 'force');
    expect((await api('POST', '/api/schedules/nope/run', {})).statusCode).toBe(404);
  });

  it('backfill: a dry run lists the missing slots, a real one creates the runs', async () => {
    await seed();
    const range = { from: minutesAgo(10), to: minutesAgo(5) };
    const dry = json<{ slots: string[] }>(
      await api('POST', '/api/schedules/a/backfill', { ...range, dryRun: true }),
    );
    expect(dry.slots.length).toBeGreaterThanOrEqual(4);
    const real = json<{ slots: string[]; queued: boolean; runs: unknown[] }>(
      await api('POST', '/api/schedules/a/backfill', range),
    );
    expect(real.slots).toEqual(dry.slots);
    expect(real.queued).toBe(true);
    const again = json<{ slots: string[] }>(await api('POST', '/api/schedules/a/backfill', range));
    expect(again.slots).toEqual([]);
    expectInvalid(await api('POST', '/api/schedules/a/backfill', { from: range.from }), 'to');
    expectInvalid(
      await api('POST', '/api/schedules/a/backfill', { from: range.to, to: range.from }),
      'from',
    );
    expectInvalid(await api('POST', '/api/schedules/a/backfill', { ...range, limit: 0 }), 'limit');
    const future = { from: minutesAgo(1), to: new Date(Date.now() + 3_600_000).toISOString() };
    expectInvalid(await api('POST', '/api/schedules/a/backfill', future), 'to');
    expect((await api('POST', '/api/schedules/nope/backfill', range)).statusCode).toBe(404);
  });

  it('preview of a saved schedule', async () => {
    await seed();
    const res = json<{ timezone: string; slots: { at: string }[] }>(
      await api('GET', '/api/schedules/b/preview?count=3&after=2026-03-01T10:02:00Z'),
    );
    expect(res.slots.map((s) => s.at)).toEqual([
      '2026-03-01T10:05:00.000Z',
      '2026-03-01T10:10:00.000Z',
      '2026-03-01T10:15:00.000Z',
    ]);
    expect(
      json<{ slots: unknown[] }>(await api('GET', '/api/schedules/b/preview')).slots,
    ).toHaveLength(5);
    expectInvalid(await api('GET', '/api/schedules/b/preview?count=0'), 'count');
    expectInvalid(await api('GET', '/api/schedules/b/preview?count=x'), 'count');
    expectInvalid(await api('GET', '/api/schedules/b/preview?after=soon'), 'after');
    expect((await api('GET', '/api/schedules/nope/preview')).statusCode).toBe(404);
  });

  it("the schedule's runs, filtered", async () => {
    await seed();
    await api('POST', '/api/schedules/a/run', { force: true });
    await api('POST', '/api/schedules/a/run', { force: true });
    const runs = json<{ items: { scheduleKey: string; trigger: string }[]; total: number }>(
      await api('GET', '/api/schedules/a/runs?trigger=manual&limit=1'),
    );
    expect(runs.total).toBe(2);
    expect(runs.items).toEqual([expect.objectContaining({ scheduleKey: 'a', trigger: 'manual' })]);
    const none = json<{ total: number }>(await api('GET', '/api/schedules/b/runs'));
    expect(none.total).toBe(0);
    expectInvalid(await api('GET', '/api/schedules/a/runs?status=great'), 'status');
    expectInvalid(await api('GET', '/api/schedules/a/runs?from=yesterday'), 'from');
    expectInvalid(await api('GET', '/api/schedules/a/runs?schedule=b'), 'schedule');
    expect((await api('GET', '/api/schedules/nope/runs')).statusCode).toBe(404);
  });
});
