import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, safeEqual } from './auth.js';
import { createServer } from './server.js';
import {
  OPERATOR_TOKEN,
  signIn,
  VIEWER_TOKEN,
  call,
  json,
  logger,
  openDashboard,
  type DashboardTest,
} from './test/env.js';

let t: DashboardTest;
let runId = '';

beforeAll(async () => {
  t = await openDashboard();
  await t.service.create({ key: 'alpha', handler: 'noop', intervalSeconds: 60 });
  runId = (await t.service.runNow('alpha')).run.id;
});
afterAll(async () => t?.close());

type Route = [InjectOptions['method'], string, unknown?];

const READS: Route[] = [
  ['GET', '/api'],
  ['GET', '/api/session'],
  ['GET', '/api/schedules'],
  ['GET', '/api/schedules/alpha'],
  ['GET', '/api/schedules/alpha/preview'],
  ['GET', '/api/schedules/alpha/runs'],
  ['GET', '/api/runs'],
  ['GET', '/api/runs/RUN'],
  ['GET', '/api/stats'],
  ['POST', '/api/preview', { intervalSeconds: 60 }],
  ['GET', '/queues'],
  ['GET', '/queues/'],
  ['GET', '/queues/queue/runs'],
  ['GET', '/queues/api/queues'],
  ['GET', '/queues/api/redis/stats'],
  ['GET', '/queues/static/favicon.ico'],
  ['GET', '/'],
];
const MUTATIONS: Route[] = [
  ['POST', '/api/schedules', { key: 'beta', handler: 'noop', intervalSeconds: 60 }],
  ['PATCH', '/api/schedules/alpha', { intervalSeconds: 120 }],
  ['DELETE', '/api/schedules/alpha'],
  ['POST', '/api/schedules/alpha/enable'],
  ['POST', '/api/schedules/alpha/disable'],
  ['POST', '/api/schedules/alpha/pause', {}],
  ['POST', '/api/schedules/alpha/resume'],
  ['POST', '/api/schedules/alpha/run', {}],
  [
    'POST',
    '/api/schedules/alpha/backfill',
    { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:05:00Z', dryRun: true },
  ],
  ['PUT', '/queues/api/queues/runs/pause'],
  ['PUT', '/queues/api/queues/runs/clean/failed'],
  ['POST', '/queues/api/queues/runs/add', { name: 'x', data: {} }],
];
const EVERY_ROUTE = [...READS, ['GET', '/api/events'] as Route, ...MUTATIONS];

const url = (path: string) => path.replace('RUN', runId);

describe('without credentials', () => {
  it.each(EVERY_ROUTE)('%s %s answers 401', async (method, path, body) => {
    const res = await call(t.app, method, url(path), { body });
    expect(res.statusCode).toBe(401);
    expect(json(res)).toMatchObject({ error: 'unauthorized' });
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it.each(['/', '/queues', '/queues/queue/runs'])(
    'a browser asking for %s is sent to /login',
    async (path) => {
      const res = await call(t.app, 'GET', path, { headers: { accept: 'text/html,*/*' } });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    },
  );

  it('an unknown path is 401 too, so it reveals nothing', async () => {
    expect((await call(t.app, 'GET', '/api/nothing-here')).statusCode).toBe(401);
  });

  it('health, readiness and the sign-in page stay public', async () => {
    expect(json(await call(t.app, 'GET', '/healthz'))).toEqual({ status: 'ok' });
    const ready = await call(t.app, 'GET', '/readyz');
    expect(ready.statusCode).toBe(200);
    expect(json(ready)).toEqual({ status: 'ready', checks: { postgres: true, redis: true } });
    const login = await call(t.app, 'GET', '/login?next=/queues');
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('<form method="post" action="/login">');
    expect(login.body).toContain('value="/queues"');
  });

  it('a wrong bearer token is 401, even with a valid session cookie', async () => {
    expect((await call(t.app, 'GET', '/api/schedules', { token: 'x'.repeat(20) })).statusCode).toBe(
      401,
    );
    const { cookies } = await signIn(t.app, OPERATOR_TOKEN);
    const res = await call(t.app, 'GET', '/api/schedules', {
      token: 'wrong-token-wrong-token',
      cookies,
    });
    expect(res.statusCode).toBe(401);
    expect(json(res).message).toContain('Authorization header');
  });
});

describe('viewer token', () => {
  it.each(READS)('%s %s is allowed', async (method, path, body) => {
    const res = await call(t.app, method, url(path), { token: VIEWER_TOKEN, body });
    expect(res.statusCode).toBe(200);
  });

  it.each(MUTATIONS)('%s %s is 403', async (method, path, body) => {
    const res = await call(t.app, method, url(path), { token: VIEWER_TOKEN, body });
    expect(res.statusCode).toBe(403);
    expect(json(res)).toMatchObject({ error: 'forbidden' });
  });

  it('gets the read-only Bull Board, operators the full one, at the same URL', async () => {
    const asViewer = await call(t.app, 'GET', '/queues/api/queues', { token: VIEWER_TOKEN });
    const asOperator = await call(t.app, 'GET', '/queues/api/queues', { token: OPERATOR_TOKEN });
    type Queues = { queues: { name: string; readOnlyMode: boolean }[] };
    expect(json<Queues>(asViewer).queues).toEqual([
      expect.objectContaining({ name: 'runs', readOnlyMode: true }),
    ]);
    expect(json<Queues>(asOperator).queues).toEqual([
      expect.objectContaining({ name: 'runs', readOnlyMode: false }),
    ]);
    const page = await call(t.app, 'GET', '/queues', { token: VIEWER_TOKEN });
    expect(page.body).toContain('<base href="/queues/" />');
    expect(page.body).toContain('cronfleet (read-only)');
  });

  it('the schedule was left untouched by the refused mutations', async () => {
    const res = await call(t.app, 'GET', '/api/schedules/alpha', { token: VIEWER_TOKEN });
    expect(json(res)).toMatchObject({ key: 'alpha', intervalSeconds: 60, enabled: true });
  });
});

describe('createAuthenticator', () => {
  const options = {
    operatorToken: OPERATOR_TOKEN,
    viewerToken: VIEWER_TOKEN,
    sessionTtlMs: 60_000,
  };

  it('maps each token to its role and nothing else', () => {
    const auth = createAuthenticator(options);
    expect(auth.roleOf(OPERATOR_TOKEN)).toBe('operator');
    expect(auth.roleOf(VIEWER_TOKEN)).toBe('viewer');
    expect(auth.roleOf(`${OPERATOR_TOKEN} `)).toBeNull();
    expect(auth.roleOf('')).toBeNull();
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'ab')).toBe(false);
  });

  it('sessions expire, and end when a token changes', () => {
    let now = 1_000_000;
    const auth = createAuthenticator(options, () => now);
    const { session, csrfToken } = auth.issue('operator');
    expect(auth.verify(session)).toEqual({ role: 'operator', csrfToken });
    now += 59_000;
    expect(auth.verify(session)?.role).toBe('operator');
    now += 2_000;
    expect(auth.verify(session)).toBeNull();
    const rotated = createAuthenticator({ ...options, operatorToken: `${OPERATOR_TOKEN}2` });
    expect(rotated.verify(auth.issue('operator').session)).toBeNull();
    expect(auth.verify('v1.operator.1.x')).toBeNull();
    expect(auth.verify('garbage')).toBeNull();
  });
});

describe('with no token configured', () => {
  it('needs no credentials, answers only loopback hosts and refuses cross-site changes', async () => {
    const app = await createServer({
      db: t.db,
      service: t.service,
      runQueue: t.queue,
      redisUrl: t.env.redisUrl,
      prefix: t.env.queuePrefix,
      logger,
      auth: {},
      events: t.events,
      uiDir: null,
    });
    try {
      const me = await call(app, 'GET', '/api/session');
      expect(json(me)).toEqual({
        role: 'operator',
        via: 'open',
        csrfToken: null,
        authentication: 'none',
      });
      expect((await call(app, 'GET', '/queues/api/queues')).statusCode).toBe(200);
      const created = await call(app, 'POST', '/api/schedules', {
        body: { key: 'open-mode', handler: 'noop', intervalSeconds: 30 },
        headers: { origin: 'http://localhost:80' },
      });
      expect(created.statusCode).toBe(201);
      const crossSite = await call(app, 'POST', '/api/schedules/open-mode/disable', {
        headers: { origin: 'https://evil.example' },
      });
      expect(crossSite.statusCode).toBe(403);
      const fetchMeta = await call(app, 'POST', '/api/schedules/open-mode/disable', {
        headers: { 'sec-fetch-site': 'cross-site' },
      });
      expect(fetchMeta.statusCode).toBe(403);
      const rebound = await call(app, 'GET', '/api/schedules', {
        headers: { host: 'evil.example' },
      });
      expect(rebound.statusCode).toBe(403);
      const login = await call(app, 'GET', '/login');
      expect(login.statusCode).toBe(302);
      const home = await call(app, 'GET', '/', { headers: { accept: 'text/html' } });
      expect(home.body).toContain('No DASHBOARD_TOKEN is set');
    } finally {
      await app.close();
    }
  });
});
