import { errorMessage, type Logger } from '@cronfleet/core';
import {
  claimStrandedRuns,
  finishRuns,
  finishRunsSeparately,
  findQuietRuns,
  markRunsQueued,
  refusedData,
  type Db,
  type DispatchRun,
  type FinishRequest,
  type QuietRun,
} from '@cronfleet/db';
import type { JobFate, RunQueue } from '@cronfleet/queue';

export type HandOffQueue = Pick<RunQueue, 'enqueue' | 'fates' | 'ping'> &
  Partial<Pick<RunQueue, 'publishCancel'>>;

export interface RelayOptions {
  db: Db;
  queue: HandOffQueue;
  logger: Logger;
  claimedBy: string;
  graceMs: number;
  /** A run in flight with no news for this long is checked against Redis. */
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

export interface RelayPass {
  /** Runs stranded in `pending`, handed to Redis now. */
  stranded: number;
  /** Runs whose job Redis no longer had, enqueued again. */
  lost: number;
  /** Runs whose job ended without the outcome reaching Postgres; the outcome is copied over. */
  recovered: number;
}

export interface Relay {
  once(now: Date): Promise<RelayPass>;
}

/** The outcome BullMQ recorded for a job, as the ledger takes it. */
function recoveredOutcome(
  run: QuietRun,
  fate: Extract<JobFate, { state: 'succeeded' | 'failed' }>,
  claimedBy: string,
): FinishRequest {
  return {
    runId: run.runId,
    scheduleId: run.scheduleId,
    attempt: Math.max(fate.attempts, run.attempts, 1),
    workerId: `relay:${claimedBy}`,
    outcome: fate.state,
    finishedAt: fate.finishedAt,
    durationMs: Math.max(0, fate.finishedAt.getTime() - fate.startedAt.getTime()),
    result: fate.result,
    error: fate.error,
  };
}

/**
 * Writes recovered outcomes in one statement, or, when Postgres refuses one
 * of them, one at a time, so a bad outcome neither blocks the others nor
 * stops the relay's walk at this page.
 */
async function recordRecovered(opts: RelayOptions, ended: FinishRequest[]): Promise<void> {
  try {
    await finishRuns(opts.db, ended);
  } catch (err) {
    if (!refusedData(err)) throw err;
    for (const { request, error } of await finishRunsSeparately(opts.db, ended)) {
      opts.logger.error(
        { runId: request.runId, outcome: request.outcome, error: errorMessage(error) },
        'Postgres refused the recovered outcome even without its result; it is not recorded',
      );
    }
  }
}

/**
 * The relay: re-enqueues runs stranded in `pending`, then walks the runs in
 * flight that have been quiet for a while and asks Redis about each job. A
 * job Redis no longer has is enqueued again (Redis lost its data; enqueueing
 * is idempotent by job id and the start gate refuses a finished run). A job
 * that ended while Postgres still shows the run in flight had its outcome
 * lost (its worker died before the write landed, or Postgres was down
 * throughout its retries): the outcome BullMQ kept is recorded instead.
 */
export function createRelay(opts: RelayOptions): Relay {
  let cursor: { at: string; id: string } | undefined;
  return {
    async once(now) {
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
      const quiet = await findQuietRuns(opts.db, {
        before: new Date(now.getTime() - opts.lostAfterMs),
        after: cursor,
        limit: opts.limit,
      });
      const last = quiet[quiet.length - 1];
      if (!last) {
        cursor = undefined;
        return { stranded: stranded.length, lost: 0, recovered: 0 };
      }

      const fates = await opts.queue.fates(quiet.map((r) => r.runId));
      const graceStart = now.getTime() - opts.graceMs;
      const lost: DispatchRun[] = [];
      const ended: FinishRequest[] = [];
      for (const run of quiet) {
        const fate = fates.get(run.runId) ?? { state: 'missing' };
        if (fate.state === 'missing') lost.push(run);
        // A job that ended only moments ago may still have its outcome on the
        // way from a live worker; only one ended a grace period ago is orphaned.
        else if (fate.state !== 'pending' && fate.finishedAt.getTime() < graceStart)
          ended.push(recoveredOutcome(run, fate, opts.claimedBy));
      }
      if (lost.length > 0) {
        opts.logger.warn({ runs: lost.length }, 're-enqueueing runs that Redis no longer has');
        await opts.queue.enqueue(lost);
      }
      if (ended.length > 0) {
        opts.logger.warn(
          { runs: ended.length, runIds: ended.slice(0, 20).map((r) => r.runId) },
          'recording outcomes that ended in Redis but never reached Postgres',
        );
        await recordRecovered(opts, ended);
      }
      // Only a page handled in full moves the cursor: a full page continues
      // next pass, a short one starts over from the oldest.
      cursor = quiet.length === opts.limit ? { at: last.cursorAt, id: last.runId } : undefined;
      return { stranded: stranded.length, lost: lost.length, recovered: ended.length };
    },
  };
}
