import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '@cronfleet/core';
import { createDb } from '@cronfleet/db';
import { createRunQueue } from '@cronfleet/queue';
import type { ScheduleService } from '@cronfleet/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ServerDeps } from './server.js';
import {
  OPERATOR_TOKEN,
  call,
  json,
  logger,
  openDashboard,
  type DashboardTest,
} from './test/env.js';

let t: DashboardTest;
let uiDir = '';
beforeAll(async () => {
  t = await openDashboard();
  uiDir = await mkdtemp(join(tmpdir(), 'cronfleet-ui-'));
  await mkdir(join(uiDir, 'assets'));
  await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>cronfleet UI</title>');
  await writeFile(join(uiDir, 'assets', 'app.js'), 'console.log("ui")');
});
afterAll(async () => {
  await t?.close();
  if (uiDir) await rm(uiDir, { recursive: true, force: true });
});

const deps = (over: Partial<ServerDeps> = {}): ServerDeps => ({
  db: t.db,
  service: t.service,
  runQueue: t.queue,
  redisUrl: t.env.redisUrl,
  prefix: t.env.queuePrefix,
  logger,
  auth: { operatorToken: OPERATOR_TOKEN },
  events: t.events,
  uiDir: null,
  ...over,
});
const token = OPERATOR_TOKEN;

describe('front page', () => {
  it('without a built UI, / links to the board and the API', async () => {
    const res = await call(t.app, 'GET', '/', { token });
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('href="/queues"');
    expect(res.body).toContain('href="/api"');
    expect(json(await call(t.app, 'GET', '/api', { token }))).toMatchObject({
      name: 'cronfleet dashboard',
    });
  });

  it('serves ui/dist at / when it exists, with index.html for client-side routes', async () => {
    const app = await createServer(deps({ uiDir }));
    try {
      const home = await call(app, 'GET', '/', { token });
      expect(home.body).toContain('cronfleet UI');
      expect((await call(app, 'GET', '/assets/app.js', { token })).body).toContain('"ui"');
      const route = await call(app, 'GET', '/schedules/nightly', {
        token,
        headers: { accept: 'text/html' },
      });
      expect(route.statusCode).toBe(200);
      expect(route.body).toContain('cronfleet UI');
      const api = await call(app, 'GET', '/api/nothing', {
        token,
        headers: { accept: 'text/html' },
      });
      expect(api.statusCode).toBe(404);
      expect(json(api)).toMatchObject({ error: 'not_found' });
      expect((await call(app, 'GET', '/assets/missing.js', { token })).statusCode).toBe(404);
      const signedOut = await call(app, 'GET', '/', { headers: { accept: 'text/html' } });
      expect(signedOut.statusCode).toBe(302);
    } finally {
      await app.close();
    }
  });
});

describe('errors', () => {
  it('an unknown route is a JSON 404; responses carry the safety headers', async () => {
    const res = await call(t.app, 'DELETE', '/api/nowhere', { token });
    expect(res.statusCode).toBe(404);
    expect(json(res)).toEqual({ error: 'not_found', message: 'no route DELETE /api/nowhere' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('an unexpected error is a 500 with a generic message, and the error is logged', async () => {
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const failing: ScheduleService = {
      ...t.service,
      list: () => Promise.reject(new Error('connection string has a password in it')),
    };
    const app = await createServer(
      deps({
        service: failing,
        logger: createLogger({ name: 'dash', level: 'error', destination }),
      }),
    );
    try {
      const res = await call(app, 'GET', '/api/schedules', { token });
      expect(res.statusCode).toBe(500);
      expect(json(res)).toEqual({
        error: 'internal',
        message: 'internal server error; the dashboard logged the details',
      });
      expect(lines.join('')).toContain('connection string has a password in it');
    } finally {
      await app.close();
    }
  });
});

describe('/readyz', () => {
  it('is 503 naming what does not answer', async () => {
    const deadDb = createDb({ url: 'postgres://postgres@127.0.0.1:1/none' });
    const deadQueue = createRunQueue({ redisUrl: 'redis://127.0.0.1:1', prefix: 'dead' });
    const app = await createServer(deps({ db: deadDb.db, runQueue: deadQueue }));
    try {
      const res = await call(app, 'GET', '/readyz');
      expect(res.statusCode).toBe(503);
      const body = json<{ status: string; checks: Record<string, unknown> }>(res);
      expect(body.status).toBe('not_ready');
      expect(body.checks.postgres).toEqual(expect.any(String));
      expect(body.checks.redis).not.toBe(true);
      expect(json(await call(app, 'GET', '/healthz'))).toEqual({ status: 'ok' });
    } finally {
      await app.close();
      await deadQueue.close();
      await deadDb.close();
    }
  });
});
