#!/usr/bin/env node
import { createLogger, type Logger } from '@cronfleet/core';
import { createDb } from '@cronfleet/db';
import { createBuiltinHandlers } from '@cronfleet/handlers';
import { createRunQueue } from '@cronfleet/queue';
import { exitOnStartupError, stopOnSignals } from '@cronfleet/runtime';
import { createScheduleService } from '@cronfleet/service';
import { isOpen, listenHost, loadDashboardConfig } from './config.js';
import { createEventHub } from './events.js';
import { closeServer, createServer } from './server.js';

let logger: Logger | undefined;
try {
  const config = loadDashboardConfig();
  logger = createLogger({ name: 'dashboard', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const dbHandle = createDb({
    url: config.DATABASE_URL,
    logger,
    max: 6,
    applicationName: 'cronfleet-dashboard',
  });
  const runQueue = createRunQueue({
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    logger,
  });
  const known = createBuiltinHandlers({ db: dbHandle.db }).map((h) => h.name);
  const service = createScheduleService({
    db: dbHandle.db,
    queue: runQueue,
    logger,
    knownHandlers: () => known,
  });
  const events = createEventHub({
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    logger,
  });
  const app = await createServer({
    db: dbHandle.db,
    service,
    runQueue,
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    logger,
    auth: {
      operatorToken: config.DASHBOARD_TOKEN,
      viewerToken: config.DASHBOARD_VIEWER_TOKEN,
      sessionTtlMs: config.DASHBOARD_SESSION_HOURS * 3_600_000,
    },
    events,
    overdueAfterMs: config.SCHEDULER_POLL_MS,
    trustProxy: config.DASHBOARD_TRUST_PROXY,
  });
  const host = listenHost(config);
  if (isOpen(config)) {
    logger.warn(
      { host },
      'no DASHBOARD_TOKEN or DASHBOARD_VIEWER_TOKEN is set: the dashboard has NO authentication and listens on 127.0.0.1 only; set DASHBOARD_TOKEN to serve it to others',
    );
  }
  const address = await app.listen({ port: config.DASHBOARD_PORT, host });
  logger.info(
    {
      address,
      operatorToken: Boolean(config.DASHBOARD_TOKEN),
      viewerToken: Boolean(config.DASHBOARD_VIEWER_TOKEN),
    },
    isOpen(config)
      ? `dashboard at ${address} (open: no sign-in needed from this machine)`
      : `dashboard at ${address}: sign in at ${address}/login with DASHBOARD_TOKEN (operator) or DASHBOARD_VIEWER_TOKEN (read-only)`,
  );
  const log = logger;
  stopOnSignals({
    logger: log,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    stop: async () => {
      await closeServer(app);
      await Promise.allSettled([events.close(), runQueue.close(), dbHandle.close()]);
    },
  });
} catch (err) {
  exitOnStartupError(logger, err);
}
