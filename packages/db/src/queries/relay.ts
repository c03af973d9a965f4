import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import type { DispatchRun } from './claim.js';
import { arr, rowsOf } from './util.js';

const dispatchColumns = sql`r.id AS "runId", r.schedule_id AS "scheduleId", s.key AS "scheduleKey",
  s.handler, s.payload, r.scheduled_for AS "scheduledFor", r.trigger,
  s.max_attempts AS "maxAttempts", s.backoff_ms AS "backoffMs", s.timeout_ms AS "timeoutMs",
  s.jitter_seconds AS "jitterSeconds", s.overlap_policy AS "overlapPolicy", s."group"`;

/**
 * After the job is in Redis, the audit row moves pending → queued. Only
 * pending rows change status (a worker may already have started or finished
 * the run), but every row records when it was handed off, which takes it out
 * of the relay's index.
 */
export async function markRunsQueued(
  db: Db,
  opts: { runIds: readonly string[]; now: Date },
): Promise<number> {
  if (opts.runIds.length === 0) return 0;
  const rows = await rowsOf<{ was: string }>(
    db,
    sql`UPDATE schedule_runs r SET enqueued_at = COALESCE(r.enqueued_at, ${opts.now}),
          status = CASE WHEN r.status = 'pending' THEN 'queued' ELSE r.status END
        FROM (SELECT id, status FROM schedule_runs WHERE id = ANY(${arr(opts.runIds)}::uuid[])) AS before
        WHERE r.id = before.id
        RETURNING before.status AS was`,
  );
  return rows.filter((r) => r.was === 'pending').length;
}

/**
 * Runs still `pending` longer than the grace period: the replica that claimed
 * them died before the hand-off, or Redis refused it. Taking them re-stamps
 * claimed_at, so replicas racing on the relay split the work and a relay that
 * dies too is itself relayed after another grace period.
 */
export async function claimStrandedRuns(
  db: Db,
  opts: { now: Date; graceMs: number; limit: number; claimedBy: string },
): Promise<DispatchRun[]> {
  const cutoff = new Date(opts.now.getTime() - opts.graceMs);
  return rowsOf<DispatchRun>(
    db,
    sql`WITH taken AS (
          UPDATE schedule_runs SET claimed_at = ${opts.now}, claimed_by = ${opts.claimedBy}
          WHERE id = ANY(ARRAY(
            SELECT id FROM schedule_runs
            WHERE enqueued_at IS NULL AND finished_at IS NULL AND claimed_at < ${cutoff}
              AND status = 'pending'
            ORDER BY claimed_at LIMIT ${opts.limit}
            FOR UPDATE SKIP LOCKED))
          RETURNING *
        )
        SELECT ${dispatchColumns} FROM taken r JOIN schedules s ON s.id = r.schedule_id
        ORDER BY r.scheduled_for`,
    ['scheduledFor'],
  );
}

/** A run in flight with no news for a while. */
export interface QuietRun extends DispatchRun {
  /** Attempts Postgres has seen start or end. */
  attempts: number;
  /**
   * When it was last heard of (started, or else handed to Redis), exactly as
   * Postgres has it (microseconds), for the next page's cursor.
   */
  cursorAt: string;
}

/**
 * Runs handed to Redis that have not finished, quiet since before `before`,
 * oldest first from `after` (a cursor, so passes walk all of them even when
 * more than `limit` are legitimately long-running). The relay asks Redis what
 * became of each job: one Redis lost is enqueued again, and one that ended
 * without its outcome reaching Postgres has the outcome copied over.
 */
export async function findQuietRuns(
  db: Db,
  opts: { before: Date; after?: { at: string; id: string }; limit: number },
): Promise<QuietRun[]> {
  const quiet = sql`COALESCE(r.started_at, r.enqueued_at)`;
  const after = opts.after
    ? sql`AND (${quiet}, r.id) > (${opts.after.at}::timestamptz, ${opts.after.id}::uuid)`
    : sql``;
  return rowsOf<QuietRun>(
    db,
    sql`SELECT ${dispatchColumns}, r.attempts, ${quiet}::text AS "cursorAt"
        FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id
        WHERE r.finished_at IS NULL AND r.enqueued_at IS NOT NULL
          AND r.status IN ('queued', 'running', 'retrying') AND ${quiet} < ${opts.before} ${after}
        ORDER BY ${quiet}, r.id LIMIT ${opts.limit}`,
    ['scheduledFor'],
  );
}
