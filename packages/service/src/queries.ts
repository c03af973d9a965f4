/**
 * Named queries the service needs beyond packages/db. Time is always passed in.
 */
import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  gte,
  inArray,
  lte,
  ne,
  notInArray,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import { isUuid } from '@cronfleet/core';
import {
  scheduleRuns,
  schedules,
  type Db,
  type RunStatus,
  type RunTrigger,
  type Schedule,
  type ScheduleRun,
} from '@cronfleet/db';
import type { ScheduleSpec } from './input.js';

/** A transaction handed out by `db.transaction`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** The pooled db or a transaction. */
export type Conn = Db | Tx;

/** A schedule by key, or by id when `ref` is a uuid (a key wins if both match). */
export async function findSchedule(
  conn: Conn,
  ref: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Schedule | undefined> {
  // No key holds U+0000, and Postgres refuses it as a parameter.
  if (ref.includes('\0')) return undefined;
  const where = isUuid(ref)
    ? or(eq(schedules.key, ref), eq(schedules.id, ref))
    : eq(schedules.key, ref);
  const query = conn
    .select()
    .from(schedules)
    .where(where)
    .orderBy(sql`${schedules.key} = ${ref} DESC`)
    .limit(1);
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

export type ScheduleStatusFilter = 'enabled' | 'disabled' | 'paused' | 'failing';

const statusCondition: Record<ScheduleStatusFilter, SQL> = {
  enabled: sql`${schedules.enabled} AND ${schedules.pausedAt} IS NULL`,
  disabled: sql`NOT ${schedules.enabled}`,
  paused: sql`${schedules.enabled} AND ${schedules.pausedAt} IS NOT NULL`,
  failing: sql`(${schedules.consecutiveFailures} > 0 OR ${schedules.cadenceError} IS NOT NULL)`,
};

export async function listSchedules(
  db: Db,
  filter: {
    group?: string;
    status?: ScheduleStatusFilter;
    enabled?: boolean;
    limit: number;
    offset: number;
  },
): Promise<{ rows: Schedule[]; total: number }> {
  const where = and(
    filter.group !== undefined ? eq(schedules.group, filter.group) : undefined,
    filter.status !== undefined ? statusCondition[filter.status] : undefined,
    filter.enabled !== undefined ? eq(schedules.enabled, filter.enabled) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(schedules)
      .where(where)
      .orderBy(asc(schedules.key))
      .limit(filter.limit)
      .offset(filter.offset),
    db.select({ n: count() }).from(schedules).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export async function insertRun(
  conn: Conn,
  values: typeof scheduleRuns.$inferInsert,
): Promise<ScheduleRun> {
  const [row] = await conn.insert(scheduleRuns).values(values).returning();
  if (!row) throw new Error('insert into schedule_runs returned no row');
  return row;
}

/** Which of these slots already have a scheduled or backfilled run (epoch ms). */
export async function slotsWithRuns(
  conn: Conn,
  scheduleId: string,
  slots: readonly Date[],
): Promise<Set<number>> {
  if (slots.length === 0) return new Set();
  const rows = await conn
    .select({ at: scheduleRuns.scheduledFor })
    .from(scheduleRuns)
    .where(
      and(
        eq(scheduleRuns.scheduleId, scheduleId),
        ne(scheduleRuns.trigger, 'manual'),
        sql`${scheduleRuns.scheduledFor} = ANY(${sql.param(slots.map((s) => s.toISOString()))}::timestamptz[])`,
      ),
    );
  return new Set(rows.map((r) => r.at.getTime()));
}

const INSERT_CHUNK = 2_000;

/**
 * One `backfill` run per slot, `pending`. A slot that already has a
 * non-manual run is left alone (the unique slot index), so repeating is a no-op.
 */
export async function insertBackfillRuns(
  conn: Conn,
  opts: { scheduleId: string; slots: readonly Date[]; now: Date; claimedBy: string },
): Promise<ScheduleRun[]> {
  const created: ScheduleRun[] = [];
  for (let i = 0; i < opts.slots.length; i += INSERT_CHUNK) {
    const values = opts.slots.slice(i, i + INSERT_CHUNK).map((slot) => ({
      scheduleId: opts.scheduleId,
      scheduledFor: slot,
      trigger: 'backfill' as const,
      status: 'pending' as const,
      claimedBy: opts.claimedBy,
      claimedAt: opts.now,
    }));
    created.push(
      ...(await conn.insert(scheduleRuns).values(values).onConflictDoNothing().returning()),
    );
  }
  return created.sort((a, b) => a.scheduledFor.getTime() - b.scheduledFor.getTime());
}

export async function runsByIds(conn: Conn, ids: readonly string[]): Promise<ScheduleRun[]> {
  if (ids.length === 0) return [];
  return conn
    .select()
    .from(scheduleRuns)
    .where(inArray(scheduleRuns.id, [...ids]))
    .orderBy(asc(scheduleRuns.scheduledFor));
}

export interface RunFilter {
  scheduleId?: string;
  status?: RunStatus;
  trigger?: RunTrigger;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

export type KeyedRun = ScheduleRun & { scheduleKey: string };

/** Runs, newest slot first, each with its schedule's key. */
export async function listRuns(
  db: Db,
  filter: RunFilter,
): Promise<{ rows: KeyedRun[]; total: number }> {
  const where = and(
    filter.scheduleId !== undefined ? eq(scheduleRuns.scheduleId, filter.scheduleId) : undefined,
    filter.status !== undefined ? eq(scheduleRuns.status, filter.status) : undefined,
    filter.trigger !== undefined ? eq(scheduleRuns.trigger, filter.trigger) : undefined,
    filter.from !== undefined ? gte(scheduleRuns.scheduledFor, filter.from) : undefined,
    filter.to !== undefined ? lte(scheduleRuns.scheduledFor, filter.to) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select({ ...getTableColumns(scheduleRuns), scheduleKey: schedules.key })
      .from(scheduleRuns)
      .innerJoin(schedules, eq(schedules.id, scheduleRuns.scheduleId))
      .where(where)
      .orderBy(desc(scheduleRuns.scheduledFor), desc(scheduleRuns.createdAt), asc(scheduleRuns.id))
      .limit(filter.limit)
      .offset(filter.offset),
    db.select({ n: count() }).from(scheduleRuns).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export async function getKeyedRun(db: Db, id: string): Promise<KeyedRun | undefined> {
  const [row] = await db
    .select({ ...getTableColumns(scheduleRuns), scheduleKey: schedules.key })
    .from(scheduleRuns)
    .innerJoin(schedules, eq(schedules.id, scheduleRuns.scheduleId))
    .where(eq(scheduleRuns.id, id))
    .limit(1);
  return row;
}

/** Stored rows for these keys, locked for the caller's transaction when asked. */
export async function schedulesByKeys(
  conn: Conn,
  keys: readonly string[],
  opts: { forUpdate?: boolean } = {},
): Promise<Schedule[]> {
  if (keys.length === 0) return [];
  const query = conn
    .select()
    .from(schedules)
    .where(inArray(schedules.key, [...keys]));
  return opts.forUpdate ? query.for('update') : query;
}

/** Keys of stored schedules not in this list, sorted. */
export async function keysNotIn(conn: Conn, keys: readonly string[]): Promise<string[]> {
  const rows = await conn
    .select({ key: schedules.key })
    .from(schedules)
    .where(keys.length > 0 ? notInArray(schedules.key, [...keys]) : undefined)
    .orderBy(asc(schedules.key));
  return rows.map((r) => r.key);
}

const x = (column: string) => sql.raw(`EXCLUDED.${column}`);
/** The stored schedule moves to new slots (or is re-enabled): the scheduler recomputes next_run_at. */
const recompute = sql`(schedules.cron_expression IS DISTINCT FROM EXCLUDED.cron_expression
  OR schedules.interval_seconds IS DISTINCT FROM EXCLUDED.interval_seconds
  OR schedules.timezone IS DISTINCT FROM EXCLUDED.timezone
  OR schedules.starts_at IS DISTINCT FROM EXCLUDED.starts_at
  OR (NOT schedules.enabled AND EXCLUDED.enabled))`;

/**
 * Inserts or updates full definitions by key. Runtime state (next_run_at,
 * failure streak, cadence error, run_count, pause) is kept, except that a
 * changed cadence, time zone or start, or a re-enable, clears next_run_at and
 * the cadence error (the scheduler judges the cadence again on its next
 * poll), and a re-enable clears disabled_reason.
 */
export async function upsertDefinitions(
  conn: Conn,
  specs: readonly ScheduleSpec[],
  now: Date,
): Promise<Schedule[]> {
  if (specs.length === 0) return [];
  return conn
    .insert(schedules)
    .values(specs.map((s) => ({ ...s, createdAt: now, updatedAt: now })))
    .onConflictDoUpdate({
      target: schedules.key,
      set: {
        name: x('name'),
        description: x('description'),
        group: x('"group"'),
        handler: x('handler'),
        cronExpression: x('cron_expression'),
        intervalSeconds: x('interval_seconds'),
        timezone: x('timezone'),
        payload: x('payload'),
        enabled: x('enabled'),
        maxAttempts: x('max_attempts'),
        backoffMs: x('backoff_ms'),
        timeoutMs: x('timeout_ms'),
        catchupPolicy: x('catchup_policy'),
        maxCatchup: x('max_catchup'),
        overlapPolicy: x('overlap_policy'),
        startsAt: x('starts_at'),
        endsAt: x('ends_at'),
        maxRuns: x('max_runs'),
        maxConsecutiveFailures: x('max_consecutive_failures'),
        jitterSeconds: x('jitter_seconds'),
        nextRunAt: sql`CASE WHEN ${recompute} THEN NULL ELSE schedules.next_run_at END`,
        // A new cadence is judged afresh on the next poll.
        cadenceError: sql`CASE WHEN ${recompute} THEN NULL ELSE schedules.cadence_error END`,
        disabledReason: sql`CASE WHEN NOT schedules.enabled AND EXCLUDED.enabled THEN NULL ELSE schedules.disabled_reason END`,
        updatedAt: now,
      },
    })
    .returning();
}

export async function deleteSchedulesByKey(conn: Conn, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await conn
    .delete(schedules)
    .where(inArray(schedules.key, [...keys]))
    .returning({ id: schedules.id });
  return rows.length;
}
