import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { ACTIVE_STATUSES, type OverlapPolicy, type RunTrigger } from '../schema.js';
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
  overlapPolicy: OverlapPolicy;
}

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

interface DueRow extends Omit<DueSchedule, 'inFlight'> {
  handler: string;
  payload: unknown;
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number | null;
  jitterSeconds: number;
}

const dueColumns = sql`id, key, handler, payload, timezone,
  cron_expression AS "cronExpression", interval_seconds AS "intervalSeconds",
  next_run_at AS "nextRunAt", max_attempts AS "maxAttempts", backoff_ms AS "backoffMs",
  timeout_ms AS "timeoutMs", catchup_policy AS "catchupPolicy", max_catchup AS "maxCatchup",
  overlap_policy AS "overlapPolicy", starts_at AS "startsAt", ends_at AS "endsAt",
  max_runs AS "maxRuns", run_count AS "runCount", jitter_seconds AS "jitterSeconds"`;
const dueDates = ['nextRunAt', 'startsAt', 'endsAt'] as const;
const NOBODY = { running: 0, waiting: 0 };

/** Counts in-flight runs for the schedules whose overlap policy looks at them. */
async function inFlightOf(ex: Executor, rows: DueRow[]): Promise<Map<string, DueSchedule['inFlight']>> {
  const ids = rows.filter((r) => r.overlapPolicy !== 'allow').map((r) => r.id);
  if (ids.length === 0) return new Map();
  const counts = await rowsOf<{ id: string; running: number; waiting: number }>(
    ex,
    sql`SELECT schedule_id AS id, count(*) FILTER (WHERE status = 'running')::int AS running,
               count(*) FILTER (WHERE status <> 'running')::int AS waiting
        FROM schedule_runs
        WHERE schedule_id = ANY(${arr(ids)}::uuid[]) AND status = ANY(${arr(ACTIVE_STATUSES)}::text[])
        GROUP BY schedule_id`,
  );
  return new Map(counts.map((c) => [c.id, { running: c.running, waiting: c.waiting }]));
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
    const result: ClaimResult = { runs: [], skipped: 0, cancelledRunIds: [], completed: [], locked: due.length, invalid: [] };
    if (due.length === 0) return result;
    const inFlight = await inFlightOf(tx, due);
    const batch = planBatch(due, (row) => opts.plan({ ...row, inFlight: inFlight.get(row.id) ?? NOBODY }));
    if (batch.invalid.length > 0) await recordInvalid(tx, batch.invalid, opts.now);
    if (batch.cancel.length > 0) result.cancelledRunIds = await cancelInFlight(tx, batch.cancel, opts.now);
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

interface InvalidSchedule {
  id: string;
  key: string;
  error: string;
  recheckAt: Date;
}

interface Advance {
  id: string;
  expected: Date | null;
  next: Date | null;
  completed: string | null;
  fired: number;
}

interface Batch {
  advance: Advance[];
  runs: (PlannedRun & { scheduleId: string })[];
  cancel: string[];
  invalid: InvalidSchedule[];
}

function planBatch(due: DueRow[], plan: (row: DueRow) => SlotPlan): Batch {
  const batch: Batch = { advance: [], runs: [], cancel: [], invalid: [] };
  for (const row of due) {
    const decision = plan(row);
    if ('error' in decision) {
      batch.invalid.push({ id: row.id, key: row.key, error: decision.error, recheckAt: decision.recheckAt });
      continue;
    }
    const fired = decision.runs.filter((r) => r.status === 'pending').length;
    batch.advance.push({ id: row.id, expected: row.nextRunAt, next: decision.next, completed: decision.completed ?? null, fired });
    for (const run of decision.runs) batch.runs.push({ ...run, scheduleId: row.id });
    if (decision.cancelActive) batch.cancel.push(row.id);
  }
  return batch;
}

/** A schedule that no longer parses stays visible: the error goes on the row and it is looked at again later. */
async function recordInvalid(ex: Executor, invalid: InvalidSchedule[], now: Date) {
  await ex.execute(sql`
    UPDATE schedules s SET last_status = 'invalid', last_error = i.error,
      next_run_at = i.recheck_at, updated_at = ${now}
    FROM unnest(${arr(invalid.map((i) => i.id))}::uuid[], ${arr(invalid.map((i) => i.error))}::text[],
                ${arr(invalid.map((i) => i.recheckAt))}::timestamptz[]) AS i(id, error, recheck_at)
    WHERE s.id = i.id`);
}

/** cancel_previous: the runs in flight make way for the new slot. */
async function cancelInFlight(ex: Executor, scheduleIds: string[], now: Date): Promise<string[]> {
  const rows = await rowsOf<{ id: string }>(
    ex,
    sql`UPDATE schedule_runs SET status = 'cancelled', finished_at = ${now},
          reason = 'cancelled: superseded by a newer run (overlap cancel_previous)'
        WHERE schedule_id = ANY(${arr(scheduleIds)}::uuid[]) AND status = ANY(${arr(ACTIVE_STATUSES)}::text[])
        RETURNING id`,
  );
  return rows.map((r) => r.id);
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
async function advanceAndAudit(ex: Executor, batch: Batch, opts: ClaimOptions): Promise<WrittenRun[]> {
  const { advance, runs } = batch;
  if (advance.length === 0) return [];
  return rowsOf<WrittenRun>(
    ex,
    sql`WITH advanced AS (
          UPDATE schedules s SET next_run_at = a.next_at, updated_at = ${opts.now},
            run_count = s.run_count + a.fired,
            enabled = s.enabled AND a.completed IS NULL,
            disabled_reason = COALESCE(a.completed, s.disabled_reason)
          FROM unnest(${arr(advance.map((a) => a.id))}::uuid[],
                      ${arr(advance.map((a) => a.expected))}::timestamptz[],
                      ${arr(advance.map((a) => a.next))}::timestamptz[],
                      ${arr(advance.map((a) => a.completed))}::text[],
                      ${arr(advance.map((a) => a.fired))}::int[]) AS a(id, expected, next_at, completed, fired)
          WHERE s.id = a.id AND s.next_run_at IS NOT DISTINCT FROM a.expected
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
  };
}

/**
 * Schedules written with next_run_at NULL (new rows, hand-written SQL, a
 * changed cadence) get their first slot; one whose window is already over is
 * disabled with the reason. Returns how many were set.
 */
export async function initializeNextRuns(
  db: Db,
  opts: { now: Date; limit: number; plan: (schedule: DueSchedule) => SlotPlan },
): Promise<{ initialized: number; invalid: { key: string; error: string }[] }> {
  return db.transaction(async (tx) => {
    const rows = await rowsOf<DueRow>(
      tx,
      sql`SELECT ${dueColumns} FROM schedules
          WHERE enabled AND next_run_at IS NULL
          LIMIT ${opts.limit} FOR UPDATE SKIP LOCKED`,
      dueDates,
    );
    if (rows.length === 0) return { initialized: 0, invalid: [] };
    const { advance, invalid } = planBatch(rows, (row) => opts.plan({ ...row, inFlight: NOBODY }));
    if (invalid.length > 0) await recordInvalid(tx, invalid, opts.now);
    if (advance.length > 0) {
      await tx.execute(sql`
        UPDATE schedules s SET next_run_at = a.next_at, updated_at = ${opts.now},
          enabled = s.enabled AND a.completed IS NULL,
          disabled_reason = COALESCE(a.completed, s.disabled_reason)
        FROM unnest(${arr(advance.map((a) => a.id))}::uuid[],
                    ${arr(advance.map((a) => a.next))}::timestamptz[],
                    ${arr(advance.map((a) => a.completed))}::text[]) AS a(id, next_at, completed)
        WHERE s.id = a.id AND s.next_run_at IS NULL`);
    }
    return { initialized: advance.length, invalid: invalid.map(({ key, error }) => ({ key, error })) };
  });
}

/** Pauses whose `paused_until` has passed end by themselves; next_run_at is kept, so catch-up applies. */
export async function resumeExpiredPauses(db: Db, now: Date): Promise<string[]> {
  const rows = await rowsOf<{ key: string }>(
    db,
    sql`UPDATE schedules SET paused_at = NULL, paused_until = NULL, pause_note = NULL, updated_at = ${now}
        WHERE paused_until <= ${now} RETURNING key`,
  );
  return rows.map((r) => r.key);
}

/** The earliest moment the loop has work: a due slot or a pause ending. */
export async function nextDueAt(db: Db): Promise<{ nextDueAt: Date | null; uninitialized: boolean }> {
  const [row] = await rowsOf<{ nextDueAt: Date | null; uninitialized: boolean }>(
    db,
    sql`SELECT LEAST((SELECT min(next_run_at) FROM schedules WHERE enabled AND paused_at IS NULL),
                     (SELECT min(paused_until) FROM schedules WHERE paused_until IS NOT NULL)) AS "nextDueAt",
               EXISTS (SELECT 1 FROM schedules WHERE enabled AND next_run_at IS NULL) AS uninitialized`,
    ['nextDueAt'],
  );
  return row ?? { nextDueAt: null, uninitialized: false };
}
