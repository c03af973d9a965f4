import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import type { OverlapPolicy, RunTrigger } from '../schema.js';
import { cancelRunsInFlight } from './in-flight.js';
import {
  NOBODY,
  dueColumns,
  dueDates,
  inFlightOf,
  planBatch,
  recordInvalid,
  type Batch,
  type DueRow,
  type SlotPlan,
  type DueSchedule,
} from './due-rows.js';

export type { DueSchedule, PlannedRun, SlotPlan } from './due-rows.js';
import { arr, rowsOf, type Executor } from './util.js';

/** Everything a worker needs to run one slot, so a job carries it and no read is needed. */
export interface DispatchRun {
  runId: string;
  scheduleId: string;
  scheduleKey: string;
  handler: string;
  payload: unknown;
  scheduledFor: Date;
  trigger: RunTrigger;
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number | null;
  /** Random delay spread, seconds (0: none). */
  jitterSeconds: number;
  /** The schedule's group, carried for live events. */
  group?: string | null;
  overlapPolicy: OverlapPolicy;
}

export interface ClaimOptions {
  now: Date;
  limit: number;
  claimedBy: string;
  plan: (schedule: DueSchedule) => SlotPlan;
}

export interface ClaimResult {
  /** Runs written `pending` and ready to enqueue, oldest slot first per schedule. */
  runs: DispatchRun[];
  /** Runs written `skipped` (overlap, catch-up), for the log. */
  skipped: number;
  /** Runs in flight cancelled to make way (cancel_previous); their workers must be told. */
  cancelledRunIds: string[];
  /** Schedules that ran their course (window ended, max_runs reached) and were disabled. */
  completed: { key: string; reason: string }[];
  /** Due schedules this call locked (a full batch means more may be due). */
  locked: number;
  invalid: { key: string; error: string }[];
}

/**
 * Claims due schedules in one transaction: locks up to `limit` rows whose slot
 * has come (SKIP LOCKED, so replicas split the work instead of queueing on
 * each other), asks `plan` what each one fires given its policies and the runs
 * in flight, advances `next_run_at`, and writes one audit row per planned slot
 * (`pending`, or `skipped` with its reason). The unique slot index is the last
 * guard: a slot that already has a run is not written twice.
 */
export async function claimDueSchedules(db: Db, opts: ClaimOptions): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    const due = await rowsOf<DueRow>(
      tx,
      sql`SELECT ${dueColumns} FROM schedules
          WHERE enabled AND paused_at IS NULL AND next_run_at <= ${opts.now}
          ORDER BY next_run_at LIMIT ${opts.limit}
          FOR UPDATE SKIP LOCKED`,
      dueDates,
    );
    const result: ClaimResult = {
      runs: [],
      skipped: 0,
      cancelledRunIds: [],
      completed: [],
      locked: due.length,
      invalid: [],
    };
    if (due.length === 0) return result;
    const inFlight = await inFlightOf(tx, due);
    const batch = planBatch(due, (row) =>
      opts.plan({ ...row, inFlight: inFlight.get(row.id) ?? NOBODY }),
    );
    if (batch.invalid.length > 0) await recordInvalid(tx, batch.invalid, opts.now);
    if (batch.cancel.length > 0)
      result.cancelledRunIds = await cancelRunsInFlight(tx, {
        scheduleIds: batch.cancel,
        now: opts.now,
      });
    const written = await advanceAndAudit(tx, batch, opts);
    const byId = new Map(due.map((row) => [row.id, row]));
    for (const w of written) {
      if (w.status === 'pending') result.runs.push(toDispatch(w, byId.get(w.scheduleId)!));
      else result.skipped += 1;
    }
    result.completed = batch.advance
      .filter((a) => a.completed)
      .map((a) => ({ key: byId.get(a.id)!.key, reason: a.completed! }));
    result.invalid = batch.invalid.map((i) => ({ key: i.key, error: i.error }));
    return result;
  });
}

interface WrittenRun {
  runId: string;
  scheduleId: string;
  scheduledFor: Date;
  status: 'pending' | 'skipped';
  reason: string | null;
}

/**
 * One statement: compare-and-set each schedule's next_run_at against the value
 * we read (disabling those that ran their course), then insert audit rows only
 * for schedules whose CAS succeeded.
 */
async function advanceAndAudit(
  ex: Executor,
  batch: Batch,
  opts: ClaimOptions,
): Promise<WrittenRun[]> {
  const { advance, runs } = batch;
  if (advance.length === 0) return [];
  return rowsOf<WrittenRun>(
    ex,
    sql`WITH advanced AS (
          UPDATE schedules s SET next_run_at = a.next_at, updated_at = ${opts.now}, cadence_error = NULL,
            run_count = s.run_count + a.fired,
            enabled = s.enabled AND a.completed IS NULL,
            disabled_reason = COALESCE(a.completed, s.disabled_reason)
          FROM unnest(${arr(advance.map((a) => a.id))}::uuid[],
                      ${arr(advance.map((a) => a.expected))}::timestamptz[],
                      ${arr(advance.map((a) => a.next))}::timestamptz[],
                      ${arr(advance.map((a) => a.completed))}::text[],
                      ${arr(advance.map((a) => a.fired))}::int[]) AS a(id, expected, next_at, completed, fired)
          -- At the precision it was read with: JavaScript dates keep milliseconds, and
          -- a next_run_at written by SQL (now()) has microseconds it would never match.
          WHERE s.id = a.id AND date_trunc('milliseconds', s.next_run_at) IS NOT DISTINCT FROM a.expected
          RETURNING s.id
        )
        INSERT INTO schedule_runs (schedule_id, scheduled_for, trigger, status, reason, claimed_by, claimed_at, finished_at)
        SELECT f.schedule_id, f.slot, 'schedule', f.status, f.reason, ${opts.claimedBy}, ${opts.now},
               CASE WHEN f.status = 'skipped' THEN ${opts.now}::timestamptz END
        FROM unnest(${arr(runs.map((r) => r.scheduleId))}::uuid[],
                    ${arr(runs.map((r) => r.slot))}::timestamptz[],
                    ${arr(runs.map((r) => r.status))}::text[],
                    ${arr(runs.map((r) => r.reason ?? null))}::text[]) WITH ORDINALITY AS f(schedule_id, slot, status, reason, n)
        JOIN advanced ON advanced.id = f.schedule_id
        ORDER BY f.n
        ON CONFLICT DO NOTHING
        RETURNING id AS "runId", schedule_id AS "scheduleId", scheduled_for AS "scheduledFor", status, reason`,
    ['scheduledFor'],
  );
}

function toDispatch(w: WrittenRun, row: DueRow): DispatchRun {
  return {
    runId: w.runId,
    scheduleId: w.scheduleId,
    scheduleKey: row.key,
    handler: row.handler,
    payload: row.payload,
    scheduledFor: w.scheduledFor,
    trigger: 'schedule',
    maxAttempts: row.maxAttempts,
    backoffMs: row.backoffMs,
    timeoutMs: row.timeoutMs,
    jitterSeconds: row.jitterSeconds,
    overlapPolicy: row.overlapPolicy,
    group: row.group,
  };
}
