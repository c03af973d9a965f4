import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { scheduleRuns, schedules, type Schedule } from '../schema.js';

/** The outcomes that count as a schedule's last run: a cancelled or skipped run is not one. */
const OUTCOMES = ['succeeded', 'failed'] as const;

/** A schedule's last finished run, as operators see it beside the schedule. */
export interface LastOutcome {
  /** When the last succeeded or failed run finished. */
  lastRunAt: Date | null;
  /** `invalid` while the cadence does not parse, else that run's status. */
  lastStatus: string | null;
  /** That run's result when it succeeded. */
  lastResult: unknown;
  /** The cadence error, else that run's error when it failed. */
  lastError: string | null;
}

interface FinishedRun {
  finishedAt: Date | null;
  status: string;
  result: unknown;
  error: string | null;
}

/**
 * The last outcome of each of these schedules, read from their runs: one
 * probe of schedule_runs_last_idx per schedule. Nothing stores it on the
 * schedule row, so a run's outcome never waits for, or contends on, a row
 * that every worker running that schedule would otherwise rewrite.
 */
export async function lastFinishedRuns(
  db: Pick<Db, 'select'>,
  scheduleIds: readonly string[],
): Promise<Map<string, FinishedRun>> {
  if (scheduleIds.length === 0) return new Map();
  const rows = await lastFinishedRunsQuery(db, scheduleIds);
  return new Map(rows.map(({ scheduleId, ...run }) => [scheduleId, run]));
}

/** The statement behind lastFinishedRuns (exported so a test can read its plan). */
export function lastFinishedRunsQuery(db: Pick<Db, 'select'>, scheduleIds: readonly string[]) {
  const last = db
    .select({
      finishedAt: scheduleRuns.finishedAt,
      status: scheduleRuns.status,
      result: scheduleRuns.result,
      error: scheduleRuns.error,
    })
    .from(scheduleRuns)
    .where(
      and(
        eq(scheduleRuns.scheduleId, schedules.id),
        isNotNull(scheduleRuns.finishedAt),
        inArray(scheduleRuns.status, [...OUTCOMES]),
      ),
    )
    // NULLS LAST as the index is built, so the probe reads it in order.
    .orderBy(sql`${scheduleRuns.finishedAt} DESC NULLS LAST`)
    .limit(1)
    .as('last_run');
  return db
    .select({
      scheduleId: schedules.id,
      finishedAt: last.finishedAt,
      status: last.status,
      result: last.result,
      error: last.error,
    })
    .from(schedules)
    .innerJoinLateral(last, sql`true`)
    .where(inArray(schedules.id, [...new Set(scheduleIds)]));
}

/** The last-outcome fields of one schedule, from its row and its last finished run (if any). */
export function lastOutcomeOf(
  row: Pick<Schedule, 'cadenceError'>,
  run: FinishedRun | undefined,
): LastOutcome {
  return {
    lastRunAt: run?.finishedAt ?? null,
    lastStatus: row.cadenceError !== null ? 'invalid' : (run?.status ?? null),
    lastResult: run?.status === 'succeeded' ? run.result : null,
    lastError: row.cadenceError ?? (run?.status === 'failed' ? run.error : null),
  };
}

/** Schedule rows with their last outcomes, in one extra query. */
export async function withLastOutcomes<T extends Pick<Schedule, 'id' | 'cadenceError'>>(
  db: Pick<Db, 'select'>,
  rows: readonly T[],
): Promise<(T & LastOutcome)[]> {
  const runs = await lastFinishedRuns(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, ...lastOutcomeOf(r, runs.get(r.id)) }));
}
