import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OPERATOR_TOKEN,
  VIEWER_TOKEN,
  call,
  json,
  openDashboard,
  type DashboardTest,
} from './test/env.js';

let t: DashboardTest;
beforeAll(async () => {
  t = await openDashboard();
});
afterAll(async () => t?.close());

type Issue = { field: string; message: string };
type Body = { error: string; message: string; issues?: Issue[] };
const api = (url: string, body: unknown) =>
  call(t.app, 'POST', url, { token: OPERATOR_TOKEN, body });

function expectInvalid(res: Awaited<ReturnType<typeof api>>, field: string): Issue | undefined {
  expect(res.statusCode, res.body).toBe(400);
  const body = json<Body>(res);
  expect(body.error).toBe('invalid_input');
  const issue = body.issues?.find((i) => i.field === field);
  expect(issue, `no issue for ${field} in ${res.body}`).toBeDefined();
  return issue;
}

describe('POST /api/preview (an unsaved cadence)', () => {
  it('shows the next slots of a cron in its zone', async () => {
    const res = await api('/api/preview', {
      cron: '30 1 * * *',
      timezone: 'America/New_York',
      count: 2,
      after: '2026-03-01T00:00:00Z',
    });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({
      timezone: 'America/New_York',
      slots: [
        { at: '2026-03-01T06:30:00.000Z', local: '2026-03-01 01:30:00', offset: '-05:00' },
        { at: '2026-03-02T06:30:00.000Z' },
      ],
    });
    const interval = json<{ slots: unknown[] }>(await api('/api/preview', { intervalSeconds: 10 }));
    expect(interval.slots).toHaveLength(5);
  });

  it.each<[string, unknown, string]>([
    ['a cron that never fires', { cron: '0 0 30 2 *' }, 'cronExpression'],
    ['a bad zone', { cron: '0 * * * *', timezone: 'Nowhere/Land' }, 'timezone'],
    ['a count of 0', { intervalSeconds: 5, count: 0 }, 'count'],
    ['an unknown field', { intervalSeconds: 5, colour: 'red' }, 'colour'],
    ['a text interval', { intervalSeconds: 'often' }, 'intervalSeconds'],
  ])('%s is 400 naming the field', async (_name, body, field) => {
    const issue = expectInvalid(await api('/api/preview', body), field);
    expect(issue?.message).toBeTruthy();
  });

  it('neither or both cadences is 400', async () => {
    for (const body of [{}, { cron: '* * * * *', intervalSeconds: 5 }]) {
      const res = await api('/api/preview', body);
      expect(res.statusCode).toBe(400);
      expect(json<Body>(res).issues?.length).toBeGreaterThan(0);
    }
  });
});

describe('viewers may preview', () => {
  it('POST /api/preview changes nothing, so a viewer may send it', async () => {
    const res = await call(t.app, 'POST', '/api/preview', {
      token: VIEWER_TOKEN,
      body: { cron: '0 9 * * *', count: 1 },
    });
    expect(res.statusCode).toBe(200);
  });
});
