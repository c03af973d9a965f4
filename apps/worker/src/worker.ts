import { Worker, type Job } from 'bullmq';
import { computeBackoffMs, systemClock, type Clock, type Logger } from '@cronfleet/core';
import type { Db } from '@cronfleet/db';
import type { HandlerRegistry } from '@cronfleet/handlers';
import {
  BACKOFF_TYPE,
  RUN_QUEUE,
  createRedis,
  createRunEventPublisher,
  subscribeControl,
  type RunJobData,
} from '@cronfleet/queue';
import { RunCancelledError, type RunAbort } from './execute.js';
import { createLedger } from './ledger.js';
import { createProcessor } from './processor.js';
import { createHandlerSlots } from './slots.js';

export interface FleetWorkerOptions {
  db: Db;
  redisUrl: string;
  prefix: string;
  registry: HandlerRegistry;
  logger: Logger;
  workerId: string;
  /** Handlers running at once (default 10). */
  concurrency?: number;
  /**
   * Jobs held beyond `concurrency`, which pass the start gate while the
   * handlers before them run (default: as many as `concurrency`). BullMQ
   * holds up to concurrency + prefetch jobs; 0 holds no more than run.
   */
  prefetch?: number;
  clock?: Clock;
  /** How long stop() lets running handlers finish before aborting them. */
  shutdownTimeoutMs?: number;
  /** While no dashboard listens for live events, how often to ask Redis again (default 1 s). */
  eventListenerCheckMs?: number;
}

export interface FleetWorker {
  readonly worker: Worker<RunJobData>;
  /** Resolves once the worker listens for cancel messages. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
  /** Resolves when every outcome recorded so far is written to Postgres (or given up on). */
  settled(): Promise<void>;
  readiness(): Promise<{ ready: boolean; checks: Record<string, boolean | string> }>;
  /** Handlers running now, and jobs past the start gate waiting for a handler slot. */
  load(): { running: number; waiting: number };
}

/** Delay before the next attempt, from the job's backoff base (our strategy, jittered). */
export function backoffStrategy(
  attemptsMade: number,
  type?: string,
  _err?: Error,
  job?: { opts: { backoff?: unknown } },
): number {
  const backoff = job?.opts.backoff as { delay?: number } | undefined;
  if (type !== BACKOFF_TYPE) return 0;
  return computeBackoffMs(attemptsMade, { baseMs: backoff?.delay ?? 1_000 });
}

/** How many jobs a worker holds in BullMQ at once: its handler slots and its prefetch. */
export function jobsHeld(concurrency: number, prefetch = concurrency): number {
  if (!Number.isInteger(prefetch) || prefetch < 0)
    throw new RangeError(`prefetch must be a whole number of at least 0, got ${prefetch}`);
  return concurrency + prefetch;
}

export function createFleetWorker(opts: FleetWorkerOptions): FleetWorker {
  const log = opts.logger;
  const clock = opts.clock ?? systemClock;
  const active = new Map<string, RunAbort>();
  const control = subscribeControl({
    redisUrl: opts.redisUrl,
    prefix: opts.prefix,
    logger: log,
    onCancel: (runIds) => {
      for (const runId of runIds) active.get(runId)?.abort(new RunCancelledError());
    },
  });
  const ledger = createLedger({ db: opts.db, logger: log });
  const concurrency = opts.concurrency ?? 10;
  const held = jobsHeld(concurrency, opts.prefetch);
  const slots = createHandlerSlots(concurrency);
  const connection = createRedis(opts.redisUrl, {
    role: 'worker',
    logger: log,
    name: `cronfleet-worker-${opts.workerId}`,
  });
  const processor = createProcessor({
    registry: opts.registry,
    ledger,
    logger: log,
    clock,
    workerId: opts.workerId,
    active,
    slots,
    events: createRunEventPublisher(connection, opts.prefix, {
      logger: log,
      listenerCheckMs: opts.eventListenerCheckMs,
    }),
  });
  const worker = new Worker<RunJobData>(RUN_QUEUE, processor, {
    connection,
    prefix: opts.prefix,
    concurrency: held,
    name: opts.workerId,
    settings: { backoffStrategy },
  });
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  worker.on('stalled', (jobId) =>
    log.warn({ runId: jobId }, 'job stalled; it will be delivered again'),
  );
  worker.on('failed', (job: Job<RunJobData> | undefined, err) => {
    if (!job) log.error({ err }, 'job failed outside a run');
  });
  let stopping = false;

  return {
    worker,
    ready: control.ready,
    settled: () => ledger.drain(),
    load: () => ({ running: slots.busy, waiting: slots.waiting }),
    async stop() {
      if (stopping) return;
      stopping = true;
      const bound = opts.shutdownTimeoutMs ?? 30_000;
      log.info(
        { running: active.size, boundMs: bound },
        'worker stopping: no new jobs, letting running ones finish',
      );
      const closing = worker.close();
      // Jobs waiting for a handler slot go back to the queue, for a worker that stays.
      slots.close();
      const timer = setTimeout(
        () => {
          log.warn({ running: active.size }, 'shutdown bound reached; aborting running handlers');
          for (const abort of active.values()) abort.abort(new Error('worker shutting down'));
        },
        Math.max(0, bound - 2_000),
      );
      try {
        await closing;
      } finally {
        clearTimeout(timer);
        await ledger.drain();
        await control.close();
        connection.disconnect();
      }
    },
    async readiness() {
      let redis: boolean | string = false;
      try {
        redis = (await connection.ping()) === 'PONG';
      } catch (err) {
        redis = err instanceof Error ? err.message : String(err);
      }
      const running = worker.isRunning() && !stopping;
      return { ready: running && redis === true, checks: { running, redis } };
    },
  };
}
