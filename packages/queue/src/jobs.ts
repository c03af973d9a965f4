import type { JobsOptions } from 'bullmq';
import type { DispatchRun } from '@cronfleet/db';

/** The one queue every run travels through. */
export const RUN_QUEUE = 'runs';
/** Our backoff strategy's name; the worker registers the function. */
export const BACKOFF_TYPE = 'cronfleet';

/** What a job carries: enough to run the handler without reading Postgres. */
export interface RunJobData {
  runId: string;
  scheduleId: string;
  scheduleKey: string;
  handler: string;
  payload: unknown;
  /** ISO instant of the slot. */
  scheduledFor: string;
  trigger: DispatchRun['trigger'];
  timeoutMs: number | null;
  overlapPolicy: DispatchRun['overlapPolicy'];
  group?: string | null;
}

export interface RunJob {
  name: string;
  data: RunJobData;
  opts: JobsOptions;
}

/**
 * Completed jobs linger for Bull Board, and for the relay: if a worker dies
 * between completing a job and writing its outcome, the relay copies the
 * outcome from the job a minute or so later. Past this count (about a minute
 * and a half at 500 jobs/s) it finds the job gone and runs it again instead.
 * Postgres keeps the history.
 */
const KEEP_COMPLETED = { age: 3_600, count: 50_000 };
const KEEP_FAILED = { age: 7 * 24 * 3_600, count: 50_000 };

/** A job for the run; a schedule with jitter gets a random delay in [0, jitter) that spreads load. */
export function toRunJob(run: DispatchRun, random: () => number = Math.random): RunJob {
  const delayMs = run.jitterSeconds > 0 ? Math.floor(random() * run.jitterSeconds * 1000) : 0;
  return {
    name: run.handler,
    data: {
      runId: run.runId,
      scheduleId: run.scheduleId,
      scheduleKey: run.scheduleKey,
      handler: run.handler,
      payload: run.payload,
      scheduledFor: new Date(run.scheduledFor).toISOString(),
      trigger: run.trigger,
      timeoutMs: run.timeoutMs,
      overlapPolicy: run.overlapPolicy,
      ...(run.group ? { group: run.group } : {}),
    },
    opts: {
      // Idempotent hand-off: adding the same run twice is a no-op while the job exists.
      jobId: run.runId,
      attempts: run.maxAttempts,
      backoff: { type: BACKOFF_TYPE, delay: run.backoffMs },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
      ...(delayMs > 0 ? { delay: delayMs } : {}),
    },
  };
}
