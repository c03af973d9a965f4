import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { withTimeout, type Logger } from '@cronfleet/core';
import type { DispatchRun } from '@cronfleet/db';
import { createRedis } from './connection.js';
import { controlChannel } from './control.js';
import { RUN_QUEUE, toRunJob } from './jobs.js';

const CLOSE_BOUND_MS = 2_000;

export interface RunQueue {
  readonly queue: Queue;
  /** Adds the runs' jobs in one round trip; resolves once Redis has them all. */
  enqueue(runs: readonly DispatchRun[]): Promise<void>;
  /** Which of these run ids have a job in Redis right now. */
  existing(runIds: readonly string[]): Promise<Set<string>>;
  /** Whether Redis answers a PING now. */
  ping(): Promise<boolean>;
  /** Tells every worker to abort these runs if it is running them. */
  publishCancel(runIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export function createRunQueue(opts: {
  redisUrl: string;
  prefix: string;
  logger?: Logger;
  /** Source of jitter delays (tests inject their own). */
  random?: () => number;
}): RunQueue {
  const connection: Redis = createRedis(opts.redisUrl, {
    role: 'producer',
    logger: opts.logger,
    name: 'cronfleet-producer',
  });
  const queue = new Queue(RUN_QUEUE, { connection, prefix: opts.prefix });
  queue.on('error', (err) => opts.logger?.warn({ err }, 'run queue error'));
  return {
    queue,
    async enqueue(runs) {
      if (runs.length === 0) return;
      await queue.addBulk(runs.map((run) => toRunJob(run, opts.random)));
    },
    async existing(runIds) {
      if (runIds.length === 0) return new Set();
      await queue.waitUntilReady();
      const replies = await connection
        .pipeline(runIds.map((id) => ['exists', queue.toKey(id)]))
        .exec();
      const found = new Set<string>();
      replies?.forEach(([err, count], i) => {
        if (err) throw err;
        if (count === 1) found.add(runIds[i]!);
      });
      return found;
    },
    async ping() {
      try {
        return (await connection.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async publishCancel(runIds) {
      if (runIds.length === 0) return;
      await connection.publish(
        controlChannel(opts.prefix),
        JSON.stringify({ type: 'cancel', runIds }),
      );
    },
    async close() {
      // BullMQ's close waits for Redis; when Redis is gone that could be forever.
      await withTimeout(
        queue.close().catch(() => undefined),
        CLOSE_BOUND_MS,
      );
      connection.disconnect();
    },
  };
}
