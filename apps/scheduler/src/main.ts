#!/usr/bin/env node
import { createLogger, type Logger } from '@cronfleet/core';
import { createDb, createDbClock } from '@cronfleet/db';
import { createRunQueue } from '@cronfleet/queue';
import { exitOnStartupError, startHealthServer, stopOnSignals } from '@cronfleet/runtime';
import { loadSchedulerConfig } from './config.js';
import { SCHEDULER_POOL_SIZE, createScheduler } from './scheduler.js';

let logger: Logger | undefined;
try {
  const config = loadSchedulerConfig();
  logger = createLogger({
    name: 'scheduler',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    base: { schedulerId: config.SCHEDULER_ID },
  });
  const dbHandle = createDb({
    url: config.DATABASE_URL,
    logger,
    max: SCHEDULER_POOL_SIZE,
    applicationName: 'cronfleet-scheduler',
  });
  const queue = createRunQueue({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, logger });
  // Slot decisions use Postgres' clock, so replicas with skewed clocks agree.
  const clock = createDbClock({ db: dbHandle.db, logger });
  await clock
    .sync()
    .catch((err: unknown) =>
      logger?.warn(
        { err },
        'could not read the database clock yet; using local time until it answers',
      ),
    );
  clock.start();
  const scheduler = createScheduler({
    db: dbHandle.db,
    queue,
    clock,
    logger,
    id: config.SCHEDULER_ID,
    pollMs: config.SCHEDULER_POLL_MS,
    batchSize: config.SCHEDULER_BATCH_SIZE,
    relayGraceMs: config.RELAY_GRACE_MS,
    relayIntervalMs: config.RELAY_INTERVAL_MS,
  });
  const health = await startHealthServer({
    port: config.HEALTH_PORT,
    checks: { ready: () => scheduler.readiness() },
    logger,
  });
  scheduler.start();
  logger.info({ healthPort: health.port }, 'scheduler running');
  const log = logger;
  stopOnSignals({
    logger: log,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    stop: async () => {
      await scheduler.stop();
      clock.stop();
      await Promise.allSettled([health.close(), queue.close(), dbHandle.close()]);
    },
  });
} catch (err) {
  exitOnStartupError(logger, err);
}
