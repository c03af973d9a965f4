/**
 * The run queue for `run` and `backfill`. Runs are written in Postgres first;
 * when Redis does not answer, they stay `pending` and the scheduler's relay
 * delivers them, so the command reports that instead of waiting for Redis.
 */
import { withTimeout } from '@cronfleet/core';
import type { ScheduleServiceDeps } from '@cronfleet/service';
import type { CliContext } from './context.js';
import { describeError } from './errors.js';

const PROBE_MS = 3_000;
const ENQUEUE_MS = 10_000;

export type CliQueue = NonNullable<ScheduleServiceDeps['queue']> & { close(): Promise<void> };

/** The result of `work`, or an error saying `message` once `ms` have passed. */
async function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  const result = await withTimeout(work, ms);
  if (result === 'timeout') throw new Error(message);
  return result;
}

/** Whether Redis answers a PING within PROBE_MS; the reason when it does not. */
async function probe(ctx: CliContext): Promise<string | undefined> {
  // Loaded only when needed: BullMQ adds a good part of a command's start-up time.
  const { createRedis } = await import('@cronfleet/queue');
  const redis = createRedis(ctx.config.REDIS_URL, { role: 'client', name: 'cronfleet-cli' });
  let lastError: unknown;
  redis.on('error', (err) => (lastError = err));
  try {
    await within(redis.ping(), PROBE_MS, `no answer within ${PROBE_MS / 1000} s`);
    return undefined;
  } catch (err) {
    return describeError(lastError ?? err);
  } finally {
    redis.disconnect();
  }
}

/** The queue, or undefined (with a warning on stderr) when Redis does not answer. */
export async function openQueue(ctx: CliContext): Promise<CliQueue | undefined> {
  const unreachable = await probe(ctx);
  if (unreachable !== undefined) {
    ctx.logger.warn(
      `Redis (REDIS_URL) does not answer: ${unreachable}; runs are written as pending and the scheduler's relay will deliver them`,
    );
    return undefined;
  }
  const { createRunQueue } = await import('@cronfleet/queue');
  const queue = createRunQueue({
    redisUrl: ctx.config.REDIS_URL,
    prefix: ctx.config.QUEUE_PREFIX,
    logger: ctx.logger,
  });
  return {
    enqueue: (runs) =>
      within(queue.enqueue(runs), ENQUEUE_MS, 'Redis did not take the jobs in time'),
    publishCancel: (runIds) =>
      within(queue.publishCancel(runIds), ENQUEUE_MS, 'Redis did not take the cancel'),
    // RunQueue.close() is bounded itself.
    close: () => queue.close(),
  };
}
