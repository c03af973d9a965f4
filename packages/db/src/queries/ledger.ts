import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { FINAL_STATUSES, STARTABLE_STATUSES } from '../schema.js';
import { arr, jsonText, rowsOf, type Executor } from './util.js';

export interface StartRequest {
  runId: string;
  scheduleId: string;
  attempt: number;
  workerId: string;
  startedAt: Date;
  /** The run must wait while another run of its schedule is running (overlap buffer_one). */
  serial?: boolean;
}

/** started: run it; busy: a serial run whose schedule has another running, try later; refused: finished or unknown. */
export type StartVerdict = 'started' | 'busy' | 'refused';

/**
 * The start gate, batched: each run moves to `running` only if it is still
 * startable, and gets its attempt row. A run that is finished or unknown is
 * refused, and its job must not run the handler again. Serial runs are
 * checked under a per-schedule advisory lock, so two workers cannot both
 * decide the schedule is idle.
 */
export async function startRuns(
  db: Db,
  requests: readonly StartRequest[],
): Promise<Map<string, StartVerdict>> {
  const verdicts = new Map<string, StartVerdict>();
  if (requests.length === 0) return verdicts;
  if (!requests.some((r) => r.serial)) {
    const started = await startStatement(db, requests);
    for (const r of requests) verdicts.set(r.runId, started.has(r.runId) ? 'started' : 'refused');
    return verdicts;
  }
  return db.transaction(async (tx) => {
    const serialSchedules = [
      ...new Set(requests.filter((r) => r.serial).map((r) => r.scheduleId)),
    ].sort();
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(id::text, 0))
                         FROM unnest(${arr(serialSchedules)}::uuid[]) AS s(id) ORDER BY id`);
    const running = await rowsOf<{ scheduleId: string; runId: string }>(
      tx,
      sql`SELECT schedule_id AS "scheduleId", id AS "runId" FROM schedule_runs
          WHERE schedule_id = ANY(${arr(serialSchedules)}::uuid[]) AND status = 'running'`,
    );
    const busySchedules = new Map(running.map((r) => [r.scheduleId, r.runId]));
    const go: StartRequest[] = [];
    for (const r of requests) {
      const holder = busySchedules.get(r.scheduleId);
      if (r.serial && holder !== undefined && holder !== r.runId) verdicts.set(r.runId, 'busy');
      else {
        go.push(r);
        if (r.serial) busySchedules.set(r.scheduleId, r.runId); // the next one in this batch waits
      }
    }
    const started = await startStatement(tx, go);
    for (const r of go) verdicts.set(r.runId, started.has(r.runId) ? 'started' : 'refused');
    return verdicts;
  });
}

async function startStatement(
  ex: Executor,
  requests: readonly StartRequest[],
): Promise<Set<string>> {
  if (requests.length === 0) return new Set();
  const rows = await rowsOf<{ id: string }>(
    ex,
    sql`WITH input AS (
          SELECT * FROM unnest(${arr(requests.map((r) => r.runId))}::uuid[],
                               ${arr(requests.map((r) => r.attempt))}::int[],
                               ${arr(requests.map((r) => r.workerId))}::text[],
                               ${arr(requests.map((r) => r.startedAt))}::timestamptz[])
            AS i(run_id, attempt, worker_id, started_at)
        ), started AS (
          UPDATE schedule_runs r SET status = 'running', attempts = i.attempt,
            started_at = COALESCE(r.started_at, i.started_at)
          FROM input i
          WHERE r.id = i.run_id AND r.status = ANY(${arr(STARTABLE_STATUSES)}::text[])
          RETURNING r.id
        ), attempt_rows AS (
          INSERT INTO run_attempts (run_id, attempt, worker_id, status, started_at)
          SELECT i.run_id, i.attempt, i.worker_id, 'running', i.started_at
          FROM input i JOIN started ON started.id = i.run_id
          ON CONFLICT (run_id, attempt) DO UPDATE
            SET worker_id = EXCLUDED.worker_id, started_at = EXCLUDED.started_at,
                status = 'running', finished_at = NULL, error = NULL, result = NULL
        )
        SELECT id FROM started`,
  );
  return new Set(rows.map((r) => r.id));
}

/** `cancelled`: the run was cancelled while this attempt ran; the run row already says so. */
export type AttemptOutcome = 'succeeded' | 'failed' | 'retrying' | 'cancelled';

export interface FinishRequest {
  runId: string;
  scheduleId: string;
  attempt: number;
  outcome: AttemptOutcome;
  finishedAt: Date;
  durationMs: number;
  result?: unknown;
  error?: string | null;
}

/** Per schedule: the last final outcome in a batch and how it moves consecutive_failures. */
export interface ScheduleOutcome {
  scheduleId: string;
  lastRunAt: Date;
  lastStatus: 'succeeded' | 'failed';
  lastResult: unknown;
  lastError: string | null;
  /** True when a success in the batch resets the count before `trailingFailures` are added. */
  reset: boolean;
  trailingFailures: number;
}

/** Folds a batch's final outcomes into one update per schedule, in finish order. */
export function summarizeOutcomes(requests: readonly FinishRequest[]): ScheduleOutcome[] {
  const bySchedule = new Map<string, ScheduleOutcome>();
  const finals = requests
    .filter((r) => r.outcome === 'succeeded' || r.outcome === 'failed')
    .sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime());
  for (const r of finals) {
    const ok = r.outcome === 'succeeded';
    const prev = bySchedule.get(r.scheduleId);
    bySchedule.set(r.scheduleId, {
      scheduleId: r.scheduleId,
      lastRunAt: r.finishedAt,
      lastStatus: ok ? 'succeeded' : 'failed',
      lastResult: ok ? (r.result ?? null) : null,
      lastError: ok ? null : (r.error ?? null),
      reset: ok || (prev?.reset ?? false),
      trailingFailures: ok ? 0 : (prev?.trailingFailures ?? 0) + 1,
    });
  }
  return [...bySchedule.values()];
}

const autoPause = sql`(s.max_consecutive_failures IS NOT NULL AND s.paused_at IS NULL
  AND CASE WHEN o.reset THEN 0 ELSE s.consecutive_failures END + o.trailing_failures >= s.max_consecutive_failures)`;

/**
 * Records a batch of attempt outcomes in one statement: the attempt rows, the
 * runs (a retrying run waits for its next attempt; a final one is closed), and
 * the schedules' last_* columns and failure streaks.
 */
export async function finishRuns(db: Db, requests: readonly FinishRequest[]): Promise<void> {
  if (requests.length === 0) return;
  const sched = summarizeOutcomes(requests);
  await db.execute(sql`
    WITH input AS (
      SELECT * FROM unnest(${arr(requests.map((r) => r.runId))}::uuid[],
                           ${arr(requests.map((r) => r.attempt))}::int[],
                           ${arr(requests.map((r) => r.outcome))}::text[],
                           ${arr(requests.map((r) => r.finishedAt))}::timestamptz[],
                           ${arr(requests.map((r) => Math.round(r.durationMs)))}::bigint[],
                           ${arr(requests.map((r) => jsonText(r.result)))}::jsonb[],
                           ${arr(requests.map((r) => r.error ?? null))}::text[])
        AS i(run_id, attempt, outcome, finished_at, duration_ms, result, error)
    ), attempts AS (
      UPDATE run_attempts a SET
        status = CASE WHEN i.outcome = 'succeeded' THEN 'succeeded' ELSE 'failed' END,
        finished_at = i.finished_at, duration_ms = i.duration_ms, result = i.result, error = i.error
      FROM input i WHERE a.run_id = i.run_id AND a.attempt = i.attempt
    ), runs AS (
      UPDATE schedule_runs r SET status = i.outcome,
        finished_at = CASE WHEN i.outcome = 'retrying' THEN NULL ELSE i.finished_at END,
        result = i.result, error = i.error
      FROM (SELECT DISTINCT ON (run_id) * FROM input ORDER BY run_id, attempt DESC) i
      WHERE r.id = i.run_id AND r.status <> ALL(${arr(FINAL_STATUSES)}::text[])
    )
    UPDATE schedules s SET last_run_at = o.last_run_at, last_status = o.last_status,
      last_result = o.last_result, last_error = o.last_error,
      consecutive_failures = CASE WHEN o.reset THEN 0 ELSE s.consecutive_failures END + o.trailing_failures,
      -- Auto-pause: the N-th consecutive failure pauses the schedule and says why.
      paused_at = CASE WHEN ${autoPause} THEN o.last_run_at ELSE s.paused_at END,
      pause_note = CASE WHEN ${autoPause}
        THEN 'auto-paused after ' || s.max_consecutive_failures || ' consecutive failures; last error: ' || COALESCE(o.last_error, 'unknown')
        ELSE s.pause_note END,
      updated_at = o.last_run_at
    FROM unnest(${arr(sched.map((o) => o.scheduleId))}::uuid[],
                ${arr(sched.map((o) => o.lastRunAt))}::timestamptz[],
                ${arr(sched.map((o) => o.lastStatus))}::text[],
                ${arr(sched.map((o) => jsonText(o.lastResult)))}::jsonb[],
                ${arr(sched.map((o) => o.lastError))}::text[],
                ${arr(sched.map((o) => o.reset))}::boolean[],
                ${arr(sched.map((o) => o.trailingFailures))}::int[])
      AS o(schedule_id, last_run_at, last_status, last_result, last_error, reset, trailing_failures)
    WHERE s.id = o.schedule_id`);
}
