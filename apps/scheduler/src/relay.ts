import { errorMessage, type Logger } from '@cronfleet/core';
import {
  claimStrandedRuns,
  findUnstartedQueuedRuns,
  markRunsQueued,
  type Db,
  type DispatchRun,
} from '@cronfleet/db';
import type { RunQueue } from '@cronfleet/queue';

export type HandOffQueue = Pick<RunQueue, 'enqueue' | 'existing' | 'ping'> &
  Partial<Pick<RunQueue, 'publishCancel'>>;

export interface RelayOptions {
  db: Db;
  queue: HandOffQueue;
  logger: Logger;
  claimedBy: string;
  graceMs: number;
  /** A queued run no worker started after this long is checked against Redis. */
  lostAfterMs: number;
  limit: number;
}

/**
 * Puts claimed runs into Redis and marks them queued. If Redis refuses, the
 * runs stay `pending` in Postgres and the relay delivers them later: the
 * error is reported, never lost, and never thrown into the claim loop.
 */
export async function handOff(
  opts: Pick<RelayOptions, 'db' | 'queue' | 'logger'>,
  runs: readonly DispatchRun[],
  now: Date,
): Promise<{ queued: number; error?: Error }> {
  if (runs.length === 0) return { queued: 0 };
  try {
    await opts.queue.enqueue(runs);
  } catch (error) {
    opts.logger.warn(
      { err: error, runs: runs.length },
      'could not hand runs to Redis; they stay pending and the relay will deliver them',
    );
    return { queued: 0, error: error instanceof Error ? error : new Error(errorMessage(error)) };
  }
  const queued = await markRunsQueued(opts.db, { runIds: runs.map((r) => r.runId), now });
  return { queued };
}

/**
 * One relay pass: re-enqueue runs stranded in `pending`, then re-enqueue
 * queued runs whose job Redis no longer has (Redis lost its data). Enqueueing
 * is idempotent by job id, so a run that did reach Redis is not duplicated,
 * and the worker's start gate refuses a run that already finished.
 */
export async function relayOnce(
  opts: RelayOptions,
  now: Date,
): Promise<{ stranded: number; lost: number }> {
  const stranded = await claimStrandedRuns(opts.db, {
    now,
    graceMs: opts.graceMs,
    limit: opts.limit,
    claimedBy: opts.claimedBy,
  });
  if (stranded.length > 0) {
    opts.logger.warn(
      { runs: stranded.length },
      'relaying runs that were claimed but never reached Redis',
    );
    const result = await handOff(opts, stranded, now);
    if (result.error) throw result.error;
  }
  const suspects = await findUnstartedQueuedRuns(opts.db, {
    enqueuedBefore: new Date(now.getTime() - opts.lostAfterMs),
    limit: opts.limit,
  });
  let lost: DispatchRun[] = [];
  if (suspects.length > 0) {
    const present = await opts.queue.existing(suspects.map((r) => r.runId));
    lost = suspects.filter((r) => !present.has(r.runId));
    if (lost.length > 0) {
      opts.logger.warn({ runs: lost.length }, 're-enqueueing queued runs that Redis no longer has');
      await opts.queue.enqueue(lost);
    }
  }
  return { stranded: stranded.length, lost: lost.length };
}
