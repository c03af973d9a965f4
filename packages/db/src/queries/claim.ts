import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import type { RunTrigger } from '../schema.js';
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
}

/** The fields slot computation needs from a due schedule. */
export interface DueSchedule {
  id: string;
  key: string;
  cronExpression: string | null;
  intervalSeconds: number | null;
  timezone: string;
  nextRunAt: Date | null;
}

/** What to do with one due schedule: fire these slots and move on, or record why it cannot run. */
export type SlotPlan = { fire: Date[]; next: Date } | { error: string; recheckAt: Date };

export interface ClaimOptions {
  now: Date;
  limit: number;
  claimedBy: string;
  plan: (schedule: DueSchedule) => SlotPlan;
}

export interface ClaimResult {
  /** Runs written `pending` and ready to enqueue, oldest slot first per schedule. */
  runs: DispatchRun[];
  /** Due schedules this call locked (a full batch means more may be due). */
  locked: number;
  invalid: { key: string; error: string }[];
}

interface DueRow extends DueSchedule {
  handler: string;
  payload: unknown;
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number | null;
}

const dueColumns = sql`id, key, handler, payload, timezone,
  cron_expression AS "cronExpression", interval_seconds AS "intervalSeconds",
  next_run_at AS "nextRunAt", max_attempts AS "maxAttempts", backoff_ms AS "backoffMs",
  timeout_ms AS "timeoutMs"`;

/**
 * Claims due schedules in one transaction: locks up to `limit` rows whose slot
 * has come (SKIP LOCKED, so replicas split the work instead of queueing on
 * each other), advances each `next_run_at` past the slots it fires, and writes
 * one `pending` audit row per fired slot. The unique slot index is the last
 * guard: a slot that already has a run is silently not written twice.
 */
export async function claimDueSchedules(db: Db, opts: ClaimOptions): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    const due = await rowsOf<DueRow>(
      tx,
      sql`SELECT ${dueColumns} FROM schedules
          WHERE enabled AND next_run_at <= ${opts.now}
          ORDER BY next_run_at LIMIT ${opts.limit}
          FOR UPDATE SKIP LOCKED`,
      ['nextRunAt'],
    );
    if (due.length === 0) return { runs: [], locked: 0, invalid: [] };
    const { advance, fire, invalid } = planBatch(due, opts.plan);
    if (invalid.length > 0) await recordInvalid(tx, invalid, opts.now);
    const written = await advanceAndAudit(tx, advance, fire, opts);
    const byId = new Map(due.map((row) => [row.id, row]));
    const runs = written.map((w) => toDispatch(w, byId.get(w.scheduleId)!));
    return {
      runs,
      locked: due.length,
      invalid: invalid.map((i) => ({ key: i.key, error: i.error })),
    };
  });
}

interface InvalidSchedule {
  id: string;
  key: string;
  error: string;
  recheckAt: Date;
}

function planBatch(due: DueRow[], plan: ClaimOptions['plan']) {
  const advance: { id: string; expected: Date | null; next: Date }[] = [];
  const fire: { scheduleId: string; slot: Date }[] = [];
  const invalid: InvalidSchedule[] = [];
  for (const row of due) {
    const decision = plan(row);
    if ('error' in decision) {
      invalid.push({ id: row.id, key: row.key, error: decision.error, recheckAt: decision.recheckAt });
      continue;
    }
    advance.push({ id: row.id, expected: row.nextRunAt, next: decision.next });
    for (const slot of decision.fire) fire.push({ scheduleId: row.id, slot });
  }
  return { advance, fire, invalid };
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

interface WrittenRun {
  runId: string;
  scheduleId: string;
  scheduledFor: Date;
}

/**
 * One statement: compare-and-set each schedule's next_run_at against the value
 * we read, then insert audit rows only for schedules whose CAS succeeded.
 */
async function advanceAndAudit(
  ex: Executor,
  advance: { id: string; expected: Date | null; next: Date }[],
  fire: { scheduleId: string; slot: Date }[],
  opts: ClaimOptions,
): Promise<WrittenRun[]> {
  if (advance.length === 0) return [];
  return rowsOf<WrittenRun>(
    ex,
    sql`WITH advanced AS (
          UPDATE schedules s SET next_run_at = a.next_at, updated_at = ${opts.now}
          FROM unnest(${arr(advance.map((a) => a.id))}::uuid[],
                      ${arr(advance.map((a) => a.expected))}::timestamptz[],
                      ${arr(advance.map((a) => a.next))}::timestamptz[]) AS a(id, expected, next_at)
          WHERE s.id = a.id AND s.next_run_at IS NOT DISTINCT FROM a.expected
          RETURNING s.id
        )
        INSERT INTO schedule_runs (schedule_id, scheduled_for, trigger, status, claimed_by, claimed_at)
        SELECT f.schedule_id, f.slot, 'schedule', 'pending', ${opts.claimedBy}, ${opts.now}
        FROM unnest(${arr(fire.map((f) => f.scheduleId))}::uuid[],
                    ${arr(fire.map((f) => f.slot))}::timestamptz[]) WITH ORDINALITY AS f(schedule_id, slot, n)
        JOIN advanced ON advanced.id = f.schedule_id
        ORDER BY f.n
        ON CONFLICT DO NOTHING
        RETURNING id AS "runId", schedule_id AS "scheduleId", scheduled_for AS "scheduledFor"`,
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
  };
}

/**
 * Schedules written with next_run_at NULL (new rows, hand-written SQL, a
 * changed cadence) get their first slot. Returns how many were set.
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
      ['nextRunAt'],
    );
    if (rows.length === 0) return { initialized: 0, invalid: [] };
    const { advance, invalid } = planBatch(rows, opts.plan);
    if (invalid.length > 0) await recordInvalid(tx, invalid, opts.now);
    if (advance.length > 0) {
      await tx.execute(sql`
        UPDATE schedules s SET next_run_at = a.next_at, updated_at = ${opts.now}
        FROM unnest(${arr(advance.map((a) => a.id))}::uuid[],
                    ${arr(advance.map((a) => a.next))}::timestamptz[]) AS a(id, next_at)
        WHERE s.id = a.id AND s.next_run_at IS NULL`);
    }
    return { initialized: advance.length, invalid: invalid.map(({ key, error }) => ({ key, error })) };
  });
}

/** The earliest slot among enabled schedules, so the loop can sleep exactly until it. */
export async function nextDueAt(db: Db): Promise<{ nextDueAt: Date | null; uninitialized: boolean }> {
  const [row] = await rowsOf<{ nextDueAt: Date | null; uninitialized: boolean }>(
    db,
    sql`SELECT (SELECT min(next_run_at) FROM schedules WHERE enabled) AS "nextDueAt",
               EXISTS (SELECT 1 FROM schedules WHERE enabled AND next_run_at IS NULL) AS uninitialized`,
    ['nextDueAt'],
  );
  return row ?? { nextDueAt: null, uninitialized: false };
}
