import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  pgView,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const RUN_STATUSES = [
  'pending',
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A worker may (re)start a run only in one of these states. */
export const STARTABLE_STATUSES = ['pending', 'queued', 'retrying', 'running'] as const;
/** A run in one of these states is "in flight" for the overlap policy. */
export const ACTIVE_STATUSES = STARTABLE_STATUSES;
export const FINAL_STATUSES = ['succeeded', 'failed', 'skipped', 'cancelled'] as const;

export const CATCHUP_POLICIES = ['skip', 'latest', 'all'] as const;
export type CatchupPolicyName = (typeof CATCHUP_POLICIES)[number];
export const OVERLAP_POLICIES = ['skip', 'allow', 'buffer_one', 'cancel_previous'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export const RUN_TRIGGERS = ['schedule', 'manual', 'backfill'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const ATTEMPT_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export const schedules = pgTable(
  'schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    name: text('name'),
    description: text('description'),
    group: text('group'),
    handler: text('handler').notNull(),
    cronExpression: text('cron_expression'),
    intervalSeconds: integer('interval_seconds'),
    timezone: text('timezone').notNull().default('UTC'),
    payload: jsonb('payload').notNull().default({}),
    enabled: boolean('enabled').notNull().default(true),
    /** NULL means "compute the first slot on the next poll". */
    nextRunAt: tstz('next_run_at'),
    /** Why the scheduler cannot compute this schedule's slots (its cron or time zone no longer parses); NULL while it can. */
    cadenceError: text('cadence_error'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    backoffMs: integer('backoff_ms').notNull().default(1000),
    timeoutMs: integer('timeout_ms'),
    catchupPolicy: text('catchup_policy').notNull().default('latest'),
    maxCatchup: integer('max_catchup').notNull().default(100),
    overlapPolicy: text('overlap_policy').notNull().default('skip'),
    startsAt: tstz('starts_at'),
    endsAt: tstz('ends_at'),
    maxRuns: integer('max_runs'),
    /** Scheduled slots fired so far (what max_runs counts). */
    runCount: integer('run_count').notNull().default(0),
    pausedAt: tstz('paused_at'),
    pausedUntil: tstz('paused_until'),
    pauseNote: text('pause_note'),
    maxConsecutiveFailures: integer('max_consecutive_failures'),
    jitterSeconds: integer('jitter_seconds').notNull().default(0),
    /** Why the fleet itself disabled the schedule (window ended, max_runs reached). */
    disabledReason: text('disabled_reason'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('schedules_key_uq').on(t.key),
    // Serves the due-poll: only enabled, unpaused rows, ordered by their next slot.
    index('schedules_due_idx')
      .on(t.nextRunAt)
      .where(sql`${t.enabled} AND ${t.pausedAt} IS NULL`),
    // Pauses that end by themselves.
    index('schedules_paused_until_idx')
      .on(t.pausedUntil)
      .where(sql`${t.pausedUntil} IS NOT NULL`),
    check(
      'schedules_one_cadence_ck',
      sql`(${t.cronExpression} IS NULL) <> (${t.intervalSeconds} IS NULL)`,
    ),
    check('schedules_interval_ck', sql`${t.intervalSeconds} IS NULL OR ${t.intervalSeconds} >= 1`),
    check('schedules_max_attempts_ck', sql`${t.maxAttempts} BETWEEN 1 AND 100`),
    check('schedules_backoff_ck', sql`${t.backoffMs} >= 0`),
    check('schedules_timeout_ck', sql`${t.timeoutMs} IS NULL OR ${t.timeoutMs} >= 1`),
    check('schedules_key_ck', sql`${t.key} ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$'`),
    check('schedules_catchup_ck', sql`${t.catchupPolicy} IN (${inList(CATCHUP_POLICIES)})`),
    check('schedules_max_catchup_ck', sql`${t.maxCatchup} BETWEEN 1 AND 10000`),
    check('schedules_overlap_ck', sql`${t.overlapPolicy} IN (${inList(OVERLAP_POLICIES)})`),
    check(
      'schedules_window_ck',
      sql`${t.endsAt} IS NULL OR ${t.startsAt} IS NULL OR ${t.endsAt} > ${t.startsAt}`,
    ),
    check('schedules_max_runs_ck', sql`${t.maxRuns} IS NULL OR ${t.maxRuns} >= 1`),
    check(
      'schedules_max_failures_ck',
      sql`${t.maxConsecutiveFailures} IS NULL OR ${t.maxConsecutiveFailures} >= 1`,
    ),
    check('schedules_jitter_ck', sql`${t.jitterSeconds} BETWEEN 0 AND 86400`),
  ],
);

export const scheduleRuns = pgTable(
  'schedule_runs',
  {
    /** Also the BullMQ job id. */
    id: uuid('id').primaryKey().defaultRandom(),
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    scheduledFor: tstz('scheduled_for').notNull(),
    trigger: text('trigger').notNull().default('schedule'),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    claimedBy: text('claimed_by'),
    claimedAt: tstz('claimed_at'),
    enqueuedAt: tstz('enqueued_at'),
    startedAt: tstz('started_at'),
    finishedAt: tstz('finished_at'),
    reason: text('reason'),
    result: jsonb('result'),
    error: text('error'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    // The last guard of "one run per (schedule, slot)": manual runs may repeat a slot.
    uniqueIndex('schedule_runs_slot_uq')
      .on(t.scheduleId, t.scheduledFor)
      .where(sql`${t.trigger} <> 'manual'`),
    index('schedule_runs_history_idx').on(t.scheduleId, t.scheduledFor.desc()),
    // No index below mentions `status`, `attempts` or `started_at`, so the
    // worker's start update is a HOT update that touches no index at all.
    // The relay scans only runs not yet handed off and not finished.
    index('schedule_runs_stranded_idx')
      .on(t.claimedAt)
      .where(sql`${t.enqueuedAt} IS NULL AND ${t.finishedAt} IS NULL`),
    // In-flight runs per schedule (finished_at is NULL exactly while a run is in flight).
    index('schedule_runs_active_idx')
      .on(t.scheduleId)
      .where(sql`${t.finishedAt} IS NULL`),
    // A schedule's last outcome: read (never stored on the schedule row), so
    // a run's outcome writes no shared row. finished_at is already in the
    // partial indexes above, so this keeps the start update HOT.
    index('schedule_runs_last_idx')
      .on(t.scheduleId, t.finishedAt.desc())
      .where(sql`${t.finishedAt} IS NOT NULL`),
    // History pruning walks runs by age.
    index('schedule_runs_created_idx').on(t.createdAt),
    check('schedule_runs_status_ck', sql`${t.status} IN (${inList(RUN_STATUSES)})`),
    check('schedule_runs_trigger_ck', sql`${t.trigger} IN (${inList(RUN_TRIGGERS)})`),
  ],
);

export const runAttempts = pgTable(
  'run_attempts',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => scheduleRuns.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    workerId: text('worker_id').notNull(),
    status: text('status').notNull().default('running'),
    startedAt: tstz('started_at').notNull(),
    finishedAt: tstz('finished_at'),
    durationMs: bigint('duration_ms', { mode: 'number' }),
    result: jsonb('result'),
    error: text('error'),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.attempt] }),
    check('run_attempts_status_ck', sql`${t.status} IN (${inList(ATTEMPT_STATUSES)})`),
  ],
);

/**
 * Each schedule's last outcome, derived (migration 0006 defines it): the
 * latest succeeded or failed run, and `invalid` while the cadence does not
 * parse. Nothing stores it on the schedule row.
 */
export const scheduleLastOutcomes = pgView('schedule_last_outcomes', {
  id: uuid('id').notNull(),
  key: text('key').notNull(),
  lastRunAt: tstz('last_run_at'),
  lastStatus: text('last_status'),
  lastResult: jsonb('last_result'),
  lastError: text('last_error'),
}).existing();

export type Schedule = typeof schedules.$inferSelect;
export type NewSchedule = typeof schedules.$inferInsert;
export type ScheduleRun = typeof scheduleRuns.$inferSelect;
export type RunAttempt = typeof runAttempts.$inferSelect;
