import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { schedules, type NewSchedule, type Schedule } from '../schema.js';

/** The fields a schedule definition sets; everything else is runtime state. */
export type ScheduleDefinition = Pick<
  NewSchedule,
  | 'key'
  | 'name'
  | 'description'
  | 'group'
  | 'handler'
  | 'cronExpression'
  | 'intervalSeconds'
  | 'timezone'
  | 'payload'
  | 'enabled'
  | 'maxAttempts'
  | 'backoffMs'
  | 'timeoutMs'
>;

const cadenceChanged = sql`(schedules.cron_expression IS DISTINCT FROM EXCLUDED.cron_expression
  OR schedules.interval_seconds IS DISTINCT FROM EXCLUDED.interval_seconds
  OR schedules.timezone IS DISTINCT FROM EXCLUDED.timezone)`;

/**
 * Inserts or updates schedules by key. A changed cadence clears next_run_at so
 * the scheduler computes the first slot of the new cadence; an unchanged one
 * keeps its place.
 */
export async function upsertSchedules(
  db: Db,
  defs: readonly ScheduleDefinition[],
  now: Date,
): Promise<Schedule[]> {
  if (defs.length === 0) return [];
  const x = (column: string) => sql.raw(`EXCLUDED.${column}`);
  return db
    .insert(schedules)
    .values(defs.map((d) => ({ ...d, createdAt: now, updatedAt: now })))
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
        nextRunAt: sql`CASE WHEN ${cadenceChanged} THEN NULL ELSE schedules.next_run_at END`,
        updatedAt: now,
      },
    })
    .returning();
}

export async function getScheduleByKey(db: Db, key: string): Promise<Schedule | undefined> {
  const [row] = await db.select().from(schedules).where(eq(schedules.key, key)).limit(1);
  return row;
}
