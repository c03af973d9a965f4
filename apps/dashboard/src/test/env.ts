/** A dashboard on the real Postgres and Redis, for one test file. */
import { createLogger } from '@cronfleet/core';
import { createDb, type Db, type DbHandle } from '@cronfleet/db';
import { createRunQueue, type RunQueue } from '@cronfleet/queue';
import { createScheduleService, type ScheduleService } from '@cronfleet/service';
import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { CSRF_COOKIE, SESSION_COOKIE, type AuthOptions } from '../auth.js';
import { createEventHub, type RunEventHub } from '../events.js';
import { closeServer, createServer, type ServerDeps } from '../server.js';

export const OPERATOR_TOKEN = 'operator-token-0123456789abcdef';
export const VIEWER_TOKEN = 'viewer-token-0123456789abcdef';
export const HANDLERS = ['noop', 'sleep', 'fail'] as const;
export const TOKENS: AuthOptions = { operatorToken: OPERATOR_TOKEN, viewerToken: VIEWER_TOKEN };

export const logger = createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface DashboardTest {
  env: TestEnv;
  handle: DbHandle;
  db: Db;
  queue: RunQueue;
  service: ScheduleService;
  events: RunEventHub;
  app: FastifyInstance;
  /** Empties the tables. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openDashboard(
  opts: { auth?: AuthOptions } & Partial<Pick<ServerDeps, 'heartbeatMs' | 'uiDir' | 'clock'>> = {},
): Promise<DashboardTest> {
  const env = await createTestEnv();
  const handle = createDb({ url: env.databaseUrl, max: 6 });
  const queue = createRunQueue({ redisUrl: env.redisUrl, prefix: env.queuePrefix, logger });
  const service = createScheduleService({
    db: handle.db,
    queue,
    logger,
    knownHandlers: () => HANDLERS,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const events = createEventHub({ redisUrl: env.redisUrl, prefix: env.queuePrefix, logger });
  const app = await createServer({
    db: handle.db,
    service,
    runQueue: queue,
    redisUrl: env.redisUrl,
    prefix: env.queuePrefix,
    logger,
    auth: opts.auth ?? TOKENS,
    events,
    uiDir: null,
    ...opts,
  });
  await app.ready();
  await events.ready;
  return {
    env,
    handle,
    db: handle.db,
    queue,
    service,
    events,
    app,
    async reset() {
      await handle.db.execute(sql`TRUNCATE schedules CASCADE`);
    },
    async close() {
      await closeServer(app, 100);
      await events.close();
      await queue.close();
      await handle.close();
      await env.close();
    },
  };
}

export interface Call {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
}

/** One request through app.inject(); `token` goes in a Bearer header. */
export function call(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  opts: Call = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return app.inject({
    method,
    url,
    headers,
    ...(opts.cookies ? { cookies: opts.cookies } : {}),
    ...(opts.body !== undefined ? { payload: opts.body as InjectOptions['payload'] } : {}),
  });
}

/** The JSON body of a response. */
export const json = <T = Record<string, unknown>>(res: LightMyRequestResponse): T => res.json<T>();

/** Signs in through the JSON form of POST /login; returns the cookies to send back and the CSRF token. */
export async function signIn(app: FastifyInstance, token: string) {
  const res = await call(app, 'POST', '/login', { body: { token } });
  expect(res.statusCode).toBe(200);
  const session = res.cookies.find((c) => c.name === SESSION_COOKIE);
  const csrf = res.cookies.find((c) => c.name === CSRF_COOKIE);
  if (!session || !csrf)
    throw new Error(`POST /login set no session: ${JSON.stringify(res.cookies)}`);
  const body = json<{ role: string; csrfToken: string }>(res);
  expect(body.csrfToken).toBe(csrf.value);
  return { body, cookies: { [SESSION_COOKIE]: session.value }, csrfToken: csrf.value };
}
