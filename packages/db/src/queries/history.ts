import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { runAttempts, scheduleRuns, type RunAttempt, type ScheduleRun } from '../schema.js';
import { rowsOf } from './util.js';

export async function getRun(db: Db, runId: string): Promise<ScheduleRun | undefined> {
  const [row] = await db.select().from(scheduleRuns).where(eq(scheduleRuns.id, runId)).limit(1);
  return row;
}

export async function listAttempts(db: Db, runIds: readonly string[]): Promise<RunAttempt[]> {
  if (runIds.length === 0) return [];
  return db
    .select()
    .from(runAttempts)
    .where(inArray(runAttempts.runId, [...runIds]))
    .orderBy(asc(runAttempts.runId), asc(runAttempts.attempt));
}

/**
 * Deletes finished runs (and, by cascade, their attempts) older than the
 * cut-off, in chunks so no statement holds locks for long. Runs still in
 * flight are never touched, nor is each schedule's last succeeded or failed
 * run, which is what views show as its last outcome.
 */
export async function pruneHistory(
  db: Db,
  opts: { finishedBefore: Date; chunk?: number; signal?: AbortSignal },
): Promise<{ runs: number }> {
  const chunk = opts.chunk ?? 5_000;
  let total = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const rows = await rowsOf<{ n: number }>(
      db,
      sql`WITH gone AS (
            DELETE FROM schedule_runs WHERE id = ANY(ARRAY(
              SELECT id FROM schedule_runs r
              WHERE created_at < ${opts.finishedBefore} AND finished_at < ${opts.finishedBefore}
                AND status IN ('succeeded', 'failed', 'skipped', 'cancelled')
                -- A schedule's last outcome is read from its runs: its latest
                -- succeeded or failed run stays, however old.
                AND (status NOT IN ('succeeded', 'failed') OR EXISTS (
                  SELECT 1 FROM schedule_runs newer
                  WHERE newer.schedule_id = r.schedule_id AND newer.finished_at > r.finished_at
                    AND newer.status IN ('succeeded', 'failed')))
              LIMIT ${chunk}))
            RETURNING 1)
          SELECT count(*)::int AS n FROM gone`,
    );
    const n = rows[0]?.n ?? 0;
    total += n;
    if (n < chunk) return { runs: total };
  }
}
