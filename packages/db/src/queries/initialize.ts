import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  NOBODY,
  dueColumns,
  dueDates,
  planBatch,
  recordInvalid,
  type DueRow,
  type DueSchedule,
  type SlotPlan,
} from './due-rows.js';
import { arr, rowsOf } from './util.js';

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
        UPDATE schedules s SET next_run_at = a.next_at, updated_at = ${opts.now}, cadence_error = NULL,
          enabled = s.enabled AND a.completed IS NULL,
          disabled_reason = COALESCE(a.completed, s.disabled_reason)
        FROM unnest(${arr(advance.map((a) => a.id))}::uuid[],
                    ${arr(advance.map((a) => a.next))}::timestamptz[],
                    ${arr(advance.map((a) => a.completed))}::text[]) AS a(id, next_at, completed)
        WHERE s.id = a.id AND s.next_run_at IS NULL`);
    }
    return {
      initialized: advance.length,
      invalid: invalid.map(({ key, error }) => ({ key, error })),
    };
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
export async function nextDueAt(
  db: Db,
): Promise<{ nextDueAt: Date | null; uninitialized: boolean }> {
  const [row] = await rowsOf<{ nextDueAt: Date | null; uninitialized: boolean }>(
    db,
    sql`SELECT LEAST((SELECT min(next_run_at) FROM schedules WHERE enabled AND paused_at IS NULL),
                     (SELECT min(paused_until) FROM schedules WHERE paused_until IS NOT NULL)) AS "nextDueAt",
               EXISTS (SELECT 1 FROM schedules WHERE enabled AND next_run_at IS NULL) AS uninitialized`,
    ['nextDueAt'],
  );
  return row ?? { nextDueAt: null, uninitialized: false };
}
