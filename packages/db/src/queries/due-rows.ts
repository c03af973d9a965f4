import { sql } from 'drizzle-orm';
import { countInFlight } from './in-flight.js';
import { arr, type Executor } from './util.js';
import type { OverlapPolicy } from '../schema.js';

// Reading due schedules and turning plans into the writes that claim and
// initialisation share.

/** The fields slot computation needs from a due schedule. */
export interface DueSchedule {
  id: string;
  key: string;
  cronExpression: string | null;
  intervalSeconds: number | null;
  timezone: string;
  nextRunAt: Date | null;
  catchupPolicy: 'skip' | 'latest' | 'all';
  maxCatchup: number;
  overlapPolicy: OverlapPolicy;
  startsAt: Date | null;
  endsAt: Date | null;
  maxRuns: number | null;
  runCount: number;
  /** Runs of this schedule in flight now (counted only when the overlap policy needs it). */
  inFlight: { running: number; waiting: number };
}

export interface PlannedRun {
  slot: Date;
  status: 'pending' | 'skipped';
  reason?: string;
}

/**
 * What to do with one due schedule: write these runs and move next_run_at
 * (NULL with `completed` when it has no slot left), or record why it cannot run.
 */
export type SlotPlan =
  | { runs: PlannedRun[]; next: Date | null; completed?: string; cancelActive?: boolean }
  | { error: string; recheckAt: Date };

export interface DueRow extends Omit<DueSchedule, 'inFlight'> {
  handler: string;
  payload: unknown;
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number | null;
  jitterSeconds: number;
  group: string | null;
}

export const dueColumns = sql`id, key, handler, payload, timezone, "group",
  cron_expression AS "cronExpression", interval_seconds AS "intervalSeconds",
  next_run_at AS "nextRunAt", max_attempts AS "maxAttempts", backoff_ms AS "backoffMs",
  timeout_ms AS "timeoutMs", catchup_policy AS "catchupPolicy", max_catchup AS "maxCatchup",
  overlap_policy AS "overlapPolicy", starts_at AS "startsAt", ends_at AS "endsAt",
  max_runs AS "maxRuns", run_count AS "runCount", jitter_seconds AS "jitterSeconds"`;
export const dueDates = ['nextRunAt', 'startsAt', 'endsAt'] as const;
export const NOBODY = { running: 0, waiting: 0 };

/** Counts in-flight runs for the schedules whose overlap policy looks at them. */
export async function inFlightOf(
  ex: Executor,
  rows: DueRow[],
): Promise<Map<string, DueSchedule['inFlight']>> {
  return countInFlight(
    ex,
    rows.filter((r) => r.overlapPolicy !== 'allow').map((r) => r.id),
  );
}

export interface InvalidSchedule {
  id: string;
  key: string;
  error: string;
  recheckAt: Date;
}

export interface Advance {
  id: string;
  expected: Date | null;
  next: Date | null;
  completed: string | null;
  fired: number;
}

export interface Batch {
  advance: Advance[];
  runs: (PlannedRun & { scheduleId: string })[];
  cancel: string[];
  invalid: InvalidSchedule[];
}

export function planBatch(due: DueRow[], plan: (row: DueRow) => SlotPlan): Batch {
  const batch: Batch = { advance: [], runs: [], cancel: [], invalid: [] };
  for (const row of due) {
    const decision = plan(row);
    if ('error' in decision) {
      batch.invalid.push({
        id: row.id,
        key: row.key,
        error: decision.error,
        recheckAt: decision.recheckAt,
      });
      continue;
    }
    const fired = decision.runs.filter((r) => r.status === 'pending').length;
    batch.advance.push({
      id: row.id,
      expected: row.nextRunAt,
      next: decision.next,
      completed: decision.completed ?? null,
      fired,
    });
    for (const run of decision.runs) batch.runs.push({ ...run, scheduleId: row.id });
    if (decision.cancelActive) batch.cancel.push(row.id);
  }
  return batch;
}

/** A schedule that no longer parses stays visible: the error goes on the row and it is looked at again later. */
export async function recordInvalid(ex: Executor, invalid: InvalidSchedule[], now: Date) {
  await ex.execute(sql`
    UPDATE schedules s SET cadence_error = i.error,
      next_run_at = i.recheck_at, updated_at = ${now}
    FROM unnest(${arr(invalid.map((i) => i.id))}::uuid[], ${arr(invalid.map((i) => i.error))}::text[],
                ${arr(invalid.map((i) => i.recheckAt))}::timestamptz[]) AS i(id, error, recheck_at)
    WHERE s.id = i.id`);
}
