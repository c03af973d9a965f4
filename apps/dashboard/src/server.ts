/**
 * The dashboard's HTTP server, built but not listening: `createServer(deps)`
 * then `app.listen()` (or `app.inject()` in tests).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock, type Logger } from '@cronfleet/core';
import type { Db } from '@cronfleet/db';
import type { RunQueue } from '@cronfleet/queue';
import type { ScheduleService } from '@cronfleet/service';
import { fastifyCookie } from '@fastify/cookie';
import { fastifyStatic } from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createAuthenticator, type AuthOptions } from './auth.js';
import { BOARD_PATH, boardAccessConstraint, registerBoards } from './board.js';
import { installErrorHandling, sendError } from './errors.js';
import { createEventHub, registerEventRoutes, type RunEventHub } from './events.js';
import { installGuard, pathOf } from './guard.js';
import { registerHealthRoutes } from './health.js';
import { PAGE_CSP, homePage } from './pages.js';
import { registerLoginRoutes } from './routes/login.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerScheduleRoutes } from './routes/schedules.js';
import { registerStatsRoutes } from './routes/stats.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

export interface ServerDeps {
  db: Db;
  service: ScheduleService;
  /** Bull Board shows its queue; /readyz pings Redis through it. */
  runQueue: Pick<RunQueue, 'queue' | 'ping'>;
  redisUrl: string;
  prefix: string;
  logger: Logger;
  auth: AuthOptions;
  /** Run events for /api/events; when absent the server subscribes itself and unsubscribes on close. */
  events?: RunEventHub;
  /** Comment lines keeping event streams open through proxies; default 15 s. */
  heartbeatMs?: number;
  clock?: Clock;
  /** A schedule this late is overdue in /api/stats (the schedulers' poll interval); default 1 s. */
  overdueAfterMs?: number;
  /** The built UI; default apps/dashboard/ui/dist. null: none. Served at / when it has index.html. */
  uiDir?: string | null;
  /** Trust X-Forwarded-* headers (behind a reverse proxy). */
  trustProxy?: boolean;
}

const DEFAULT_UI_DIR = fileURLToPath(new URL('../ui/dist', import.meta.url));

/** Fastify's per-request lines at debug: the app's own logs stay readable at info. */
class DebugRequestLogs extends LogController {
  override incomingRequest(request: Parameters<LogController['incomingRequest']>[0]): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(...[error, , reply]: Parameters<LogController['requestCompleted']>) {
    if (error) reply.log.error({ res: reply, err: error }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }

  override routeNotFound(request: Parameters<LogController['routeNotFound']>[0]): void {
    request.log.debug({ method: request.method, url: request.url }, 'route not found');
  }
}

const API_INDEX = {
  session: 'GET /api/session',
  schedules: [
    'GET /api/schedules?group&status&enabled&limit&offset',
    'POST /api/schedules',
    'GET|PATCH|DELETE /api/schedules/:ref',
    'POST /api/schedules/:ref/{enable,disable,pause,resume,run,backfill}',
    'GET /api/schedules/:ref/preview?count&after',
    'GET /api/schedules/:ref/runs?status&trigger&from&to&limit&offset',
    'POST /api/preview',
  ],
  runs: ['GET /api/runs?status&trigger&from&to&schedule&limit&offset', 'GET /api/runs/:id'],
  stats: 'GET /api/stats',
  events: 'GET /api/events?schedule&group (text/event-stream)',
};

export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const auth = createAuthenticator(deps.auth);
  // Typed as Fastify's logger so routes and plugins see the usual FastifyInstance.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    logController: new DebugRequestLogs(),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: deps.trustProxy ?? false,
    routerOptions: {
      maxParamLength: 256,
      constraints: { boardAccess: boardAccessConstraint(auth) as never },
    },
  });
  installErrorHandling(app);
  // JSON only (a text/plain POST is what a cross-site form can send without asking).
  app.removeContentTypeParser('text/plain');
  await app.register(fastifyCookie);
  installGuard(app, auth);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });

  const events =
    deps.events ??
    createEventHub({ redisUrl: deps.redisUrl, prefix: deps.prefix, logger: deps.logger });
  if (!deps.events) app.addHook('onClose', () => events.close());

  registerHealthRoutes(app, { db: deps.db, runQueue: deps.runQueue });
  registerLoginRoutes(app, auth);
  app.get('/api', (_request, reply) =>
    reply.send({ name: 'cronfleet dashboard', routes: API_INDEX }),
  );
  registerScheduleRoutes(app, deps.service);
  registerRunRoutes(app, deps.service);
  registerStatsRoutes(app, {
    db: deps.db,
    clock: deps.clock ?? systemClock,
    overdueAfterMs: deps.overdueAfterMs ?? 1_000,
  });
  registerEventRoutes(app, events, { heartbeatMs: deps.heartbeatMs ?? 15_000 });
  await registerBoards(app, {
    queue: deps.runQueue.queue,
    withViewerBoard: !!deps.auth.viewerToken,
  });
  await registerFrontPage(app, {
    uiDir: deps.uiDir === undefined ? DEFAULT_UI_DIR : deps.uiDir,
    open: auth.open,
  });
  return app;
}

/**
 * app.close(), then after `graceMs` drops the connections still open: a
 * socket a client opened ahead and never used (browsers and fetch do) is not
 * "idle" to Node and would hold the close until it times out.
 */
export async function closeServer(app: FastifyInstance, graceMs = 3_000): Promise<void> {
  const force = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(force);
  }
}

/** The built UI at / when there is one (with index.html for its client-side routes), else a page of links. */
async function registerFrontPage(
  app: FastifyInstance,
  opts: { uiDir: string | null; open: boolean },
) {
  const index = opts.uiDir === null ? null : join(opts.uiDir, 'index.html');
  const hasUi = index !== null && existsSync(index);
  if (hasUi && opts.uiDir) {
    const root = opts.uiDir;
    await app.register(async (scope) => {
      await scope.register(fastifyStatic, { root, prefix: '/' });
    });
  } else {
    app.get('/', async (request, reply) =>
      reply
        .header('content-security-policy', PAGE_CSP)
        .type('text/html; charset=utf-8')
        .send(homePage({ role: request.principal?.role ?? 'nobody', open: opts.open })),
    );
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = pathOf(request.url);
    const page =
      request.method === 'GET' &&
      (request.headers.accept ?? '').includes('text/html') &&
      !path.startsWith('/api') &&
      !path.startsWith(BOARD_PATH);
    if (hasUi && index && page) {
      return reply.type('text/html; charset=utf-8').send(await readFile(index));
    }
    return sendError(reply, 404, {
      error: 'not_found',
      message: `no route ${request.method} ${path}`,
    });
  });
}
