import { inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { scheduleLastOutcomes, type Schedule } from '../schema.js';

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

const NONE: LastOutcome = { lastRunAt: null, lastStatus: null, lastResult: null, lastError: null };

/** The statement behind withLastOutcomes (exported so a test can read its plan). */
export function lastOutcomesQuery(db: Pick<Db, 'select'>, scheduleIds: readonly string[]) {
  return db
    .select({
      id: scheduleLastOutcomes.id,
      lastRunAt: scheduleLastOutcomes.lastRunAt,
      lastStatus: scheduleLastOutcomes.lastStatus,
      lastResult: scheduleLastOutcomes.lastResult,
      lastError: scheduleLastOutcomes.lastError,
    })
    .from(scheduleLastOutcomes)
    .where(inArray(scheduleLastOutcomes.id, [...new Set(scheduleIds)]));
}

/**
 * Schedule rows with their last outcomes, in one extra query of the
 * `schedule_last_outcomes` view: one probe of schedule_runs_last_idx per
 * schedule. Nothing stores the last outcome on the schedule row, so a run's
 * outcome never waits for, or contends on, a row that every worker running
 * that schedule would otherwise rewrite.
 */
export async function withLastOutcomes<T extends Pick<Schedule, 'id'>>(
  db: Pick<Db, 'select'>,
  rows: readonly T[],
): Promise<(T & LastOutcome)[]> {
  if (rows.length === 0) return [];
  const found = await lastOutcomesQuery(
    db,
    rows.map((r) => r.id),
  );
  const byId = new Map(found.map(({ id, ...last }) => [id, last]));
  // A schedule deleted between the two reads has no row in the view.
  return rows.map((r) => ({ ...r, ...(byId.get(r.id) ?? NONE) }));
}
