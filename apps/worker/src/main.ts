#!/usr/bin/env node
import { createLogger, type Logger } from '@cronfleet/core';
import { createDb } from '@cronfleet/db';
import { createBuiltinHandlers, createRegistry } from '@cronfleet/handlers';
import { exitOnStartupError, startHealthServer, stopOnSignals } from '@cronfleet/runtime';
import { loadWorkerConfig } from './config.js';
import { createFleetWorker } from './worker.js';

let logger: Logger | undefined;
try {
  const config = loadWorkerConfig();
  logger = createLogger({
    name: 'worker',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    base: { workerId: config.WORKER_ID },
  });
  const dbHandle = createDb({
    url: config.DATABASE_URL,
    logger,
    max: Math.min(8, 2 + Math.ceil(config.WORKER_CONCURRENCY / 10)),
    applicationName: 'cronfleet-worker',
  });
  const registry = createRegistry(createBuiltinHandlers({ db: dbHandle.db }));
  const fleetWorker = createFleetWorker({
    db: dbHandle.db,
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    registry,
    logger,
    workerId: config.WORKER_ID,
    concurrency: config.WORKER_CONCURRENCY,
    prefetch: config.WORKER_PREFETCH,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  const health = await startHealthServer({
    port: config.HEALTH_PORT,
    checks: { ready: () => fleetWorker.readiness() },
    logger,
  });
  logger.info(
    {
      healthPort: health.port,
      concurrency: config.WORKER_CONCURRENCY,
      prefetch: config.WORKER_PREFETCH ?? config.WORKER_CONCURRENCY,
      handlers: registry.names(),
    },
    'worker running',
  );
  const log = logger;
  stopOnSignals({
    logger: log,
    // The worker's own bound aborts handlers a little earlier; this one is the hard stop.
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS + 5_000,
    stop: async () => {
      await fleetWorker.stop();
      await Promise.allSettled([health.close(), dbHandle.close()]);
    },
  });
} catch (err) {
  exitOnStartupError(logger, err);
}
