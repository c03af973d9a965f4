import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { withTimeout, type Logger } from '@cronfleet/core';
import type { DispatchRun } from '@cronfleet/db';
import { createRedis } from './connection.js';
import { controlChannel } from './control.js';
import { RUN_QUEUE, toRunJob } from './jobs.js';

const CLOSE_BOUND_MS = 2_000;
/**
 * How long the queue waits for Redis to answer a bulk add or a pipelined
 * read. The producer fails fast while Redis is away, but a batch caught by a
 * dropped connection can wait for ever, and the scheduler waits for its
 * hand-offs before it claims again. A late add still lands; job ids are run
 * ids, so adding again is a no-op.
 */
export const REDIS_ANSWER_MS = 5_000;

/** `work`'s result, or an error once Redis has not answered in REDIS_ANSWER_MS. */
async function answered<T>(work: Promise<T>, what: string): Promise<T> {
  const result = await withTimeout(work, REDIS_ANSWER_MS);
  if (result !== 'timeout') return result;
  work.catch(() => undefined); // settles on its own, after we stopped waiting
  throw new Error(`Redis did not answer ${what} within ${REDIS_ANSWER_MS} ms`);
}

export interface RunQueue {
  readonly queue: Queue;
  /**
   * Adds the runs' jobs in one round trip; resolves once Redis has them all.
   * Rejects when Redis refuses them or has not answered in REDIS_ANSWER_MS.
   */
  enqueue(runs: readonly DispatchRun[]): Promise<void>;
  /** Which of these run ids have a job in Redis right now. */
  existing(runIds: readonly string[]): Promise<Set<string>>;
  /** What became of each run's job, as far as Redis still knows. */
  fates(runIds: readonly string[]): Promise<Map<string, JobFate>>;
  /** Whether Redis answers a PING now. */
  ping(): Promise<boolean>;
  /** Tells every worker to abort these runs if it is running them. */
  publishCancel(runIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A job as Redis knows it: gone (never added, removed, or Redis lost it),
 * still on its way (waiting, delayed or being run), or ended, with what
 * BullMQ recorded of its last attempt.
 */
export type JobFate =
  | { state: 'missing' }
  | { state: 'pending' }
  | {
      state: 'succeeded' | 'failed';
      attempts: number;
      startedAt: Date;
      finishedAt: Date;
      result: unknown;
      error: string | null;
    };

/** `timestamp` is set on every job; BullMQ 6 keeps the attempt count in `atm` (older jobs: `attemptsMade`). */
const FATE_FIELDS = [
  'timestamp',
  'finishedOn',
  'processedOn',
  'atm',
  'attemptsMade',
  'returnvalue',
  'failedReason',
];

function parseResult(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toFate(fields: (string | null)[], completedScore: string | null): JobFate {
  const [timestamp, finishedOn, processedOn, atm, attemptsMade, returnvalue, failedReason] = fields;
  if (!timestamp) return { state: 'missing' };
  if (!finishedOn) return { state: 'pending' };
  const finishedAt = new Date(Number(finishedOn));
  const succeeded = completedScore !== null;
  return {
    state: succeeded ? 'succeeded' : 'failed',
    attempts: Math.max(1, Number(atm ?? attemptsMade ?? 1)),
    startedAt: processedOn ? new Date(Number(processedOn)) : finishedAt,
    finishedAt,
    result: succeeded ? parseResult(returnvalue ?? null) : null,
    error: succeeded ? null : (failedReason ?? 'failed'),
  };
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
  async function fates(runIds: readonly string[]): Promise<Map<string, JobFate>> {
    const byId = new Map<string, JobFate>();
    if (runIds.length === 0) return byId;
    await queue.waitUntilReady();
    const completed = queue.toKey('completed');
    const pipeline = connection.pipeline();
    for (const id of runIds) {
      pipeline.hmget(queue.toKey(id), ...FATE_FIELDS);
      pipeline.zscore(completed, id);
    }
    const replies = (await answered(pipeline.exec(), `a read of ${runIds.length} job(s)`)) ?? [];
    runIds.forEach((id, i) => {
      const [fieldsErr, fields] = replies[2 * i] ?? [];
      const [scoreErr, score] = replies[2 * i + 1] ?? [];
      if (fieldsErr) throw fieldsErr;
      if (scoreErr) throw scoreErr;
      byId.set(id, toFate(fields as (string | null)[], score as string | null));
    });
    return byId;
  }

  return {
    queue,
    async enqueue(runs) {
      if (runs.length === 0) return;
      await answered(
        queue.addBulk(runs.map((run) => toRunJob(run, opts.random))),
        `an add of ${runs.length} job(s)`,
      );
    },
    async existing(runIds) {
      const found = await fates(runIds);
      return new Set(runIds.filter((id) => found.get(id)?.state !== 'missing'));
    },
    fates,
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
