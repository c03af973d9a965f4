import { sql } from 'drizzle-orm';
import { ACTIVE_STATUSES } from '../schema.js';
import { arr, rowsOf, type Executor } from './util.js';

export interface InFlightCount {
  running: number;
  /** pending, queued or retrying */
  waiting: number;
}

/** Runs in flight per schedule, for the overlap policy (served by the partial active-runs index). */
export async function countInFlight(
  ex: Executor,
  scheduleIds: readonly string[],
): Promise<Map<string, InFlightCount>> {
  if (scheduleIds.length === 0) return new Map();
  const counts = await rowsOf<{ id: string } & InFlightCount>(
    ex,
    sql`SELECT schedule_id AS id, count(*) FILTER (WHERE status = 'running')::int AS running,
               count(*) FILTER (WHERE status <> 'running')::int AS waiting
        FROM schedule_runs
        WHERE schedule_id = ANY(${arr(scheduleIds)}::uuid[]) AND finished_at IS NULL
          AND status = ANY(${arr(ACTIVE_STATUSES)}::text[])
        GROUP BY schedule_id`,
  );
  return new Map(counts.map((c) => [c.id, { running: c.running, waiting: c.waiting }]));
}

export const SUPERSEDED_REASON = 'cancelled: superseded by a newer run (overlap cancel_previous)';

/** cancel_previous: marks the schedules' runs in flight cancelled and returns their ids, for the workers to abort. */
export async function cancelRunsInFlight(
  ex: Executor,
  opts: { scheduleIds: readonly string[]; now: Date; reason?: string },
): Promise<string[]> {
  if (opts.scheduleIds.length === 0) return [];
  const rows = await rowsOf<{ id: string }>(
    ex,
    sql`UPDATE schedule_runs SET status = 'cancelled', finished_at = ${opts.now},
          reason = ${opts.reason ?? SUPERSEDED_REASON}
        WHERE schedule_id = ANY(${arr(opts.scheduleIds)}::uuid[]) AND finished_at IS NULL
          AND status = ANY(${arr(ACTIVE_STATUSES)}::text[])
        RETURNING id`,
  );
  return rows.map((r) => r.id);
}
