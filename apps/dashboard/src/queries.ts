/** Named read queries for /api/stats. Time is always passed in. */
import {
  ACTIVE_STATUSES,
  RUN_STATUSES,
  scheduleRuns,
  schedules,
  withLastOutcomes,
  type Db,
  type LastOutcome,
  type RunStatus,
  type Schedule,
} from '@cronfleet/db';
import { and, asc, count, desc, eq, gte, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';

const IN_FLIGHT = sql.raw(ACTIVE_STATUSES.map((status) => `'${status}'`).join(', '));
/**
 * Picks the runs that finished since `since` or are in flight now. Both halves
 * are served by indexes (finished_at, and the partial index on in-flight
 * runs), so the dashboard never scans the whole history.
 */
const recentOrInFlight = (since: Date) =>
  or(gte(scheduleRuns.finishedAt, since), sql`${scheduleRuns.status} IN (${IN_FLIGHT})`);

/** Runs that finished since `since`, and runs in flight now, by status (every status present). */
export async function countRunsByStatus(
  db: Db,
  opts: { since: Date },
): Promise<Record<RunStatus, number>> {
  const rows = await db
    .select({ status: scheduleRuns.status, n: count() })
    .from(scheduleRuns)
    .where(recentOrInFlight(opts.since))
    .groupBy(scheduleRuns.status);
  const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const row of rows) counts[row.status as RunStatus] = row.n;
  return counts;
}

export type FailingSchedule = Pick<
  Schedule,
  'id' | 'key' | 'group' | 'consecutiveFailures' | 'pausedAt'
> &
  LastOutcome;

/** Schedules on a failure streak or with a cadence the scheduler could not use; worst first. */
export async function listFailingSchedules(
  db: Db,
  opts: { limit: number },
): Promise<FailingSchedule[]> {
  const rows = await db
    .select({
      id: schedules.id,
      key: schedules.key,
      group: schedules.group,
      consecutiveFailures: schedules.consecutiveFailures,
      pausedAt: schedules.pausedAt,
    })
    .from(schedules)
    .where(or(sql`${schedules.consecutiveFailures} > 0`, isNotNull(schedules.cadenceError)))
    .orderBy(desc(schedules.consecutiveFailures), asc(schedules.key))
    .limit(opts.limit);
  return withLastOutcomes(db, rows);
}

export interface StartLateness {
  /** Scheduled runs that started since `since`. */
  samples: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/**
 * How long after their slot scheduled runs started (started_at − scheduled_for),
 * over runs started since `since`. Includes a schedule's jitter and queue wait.
 */
export async function measureStartLateness(db: Db, opts: { since: Date }): Promise<StartLateness> {
  const lag = sql`(EXTRACT(EPOCH FROM (${scheduleRuns.startedAt} - ${scheduleRuns.scheduledFor})) * 1000)::float8`;
  const [row] = await db
    .select({
      samples: count(),
      p50Ms: sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${lag})`,
      p95Ms: sql<number | null>`percentile_cont(0.95) WITHIN GROUP (ORDER BY ${lag})`,
      maxMs: sql<number | null>`max(${lag})`,
    })
    .from(scheduleRuns)
    .where(
      and(
        eq(scheduleRuns.trigger, 'schedule'),
        gte(scheduleRuns.startedAt, opts.since),
        // Implied by the start (a run started since then finished since then or still runs); lets an index find them.
        recentOrInFlight(opts.since),
      ),
    );
  const round = (v: number | null | undefined) => (v == null ? null : Math.round(Number(v)));
  return {
    samples: row?.samples ?? 0,
    p50Ms: round(row?.p50Ms),
    p95Ms: round(row?.p95Ms),
    maxMs: round(row?.maxMs),
  };
}

/** Enabled, unpaused schedules whose next slot is more than `graceMs` in the past at `now`. */
export async function countOverdueSchedules(
  db: Db,
  opts: { now: Date; graceMs: number },
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(schedules)
    .where(
      and(
        sql`${schedules.enabled}`,
        isNull(schedules.pausedAt),
        lt(schedules.nextRunAt, new Date(opts.now.getTime() - opts.graceMs)),
      ),
    );
  return row?.n ?? 0;
}
