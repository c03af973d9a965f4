/** list · get · create · update · remove · setEnabled · pause · resume */
import { NotFoundError } from '@cronfleet/core';
import { retryOnConflict, schedules, type Schedule } from '@cronfleet/db';
import { eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { ServiceContext } from './context.js';
import { ConflictError, ValidationError, parseOrThrow } from './errors.js';
import {
  SLOT_FIELDS,
  parseScheduleInput,
  type ScheduleInput,
  type SchedulePatch,
} from './input.js';
import { instantSchema, pgString } from './values.js';
import { applyPatch } from './patch.js';
import { findSchedule, listSchedules, type Conn, type ScheduleStatusFilter } from './queries.js';
import { toView, toViews, type ScheduleView } from './view.js';

export interface ListSchedulesOptions {
  group?: string;
  /** enabled: enabled and not paused · disabled · paused · failing: a failure streak or an invalid cadence. */
  status?: ScheduleStatusFilter;
  enabled?: boolean;
  /** 1–500, default 50. */
  limit?: number;
  offset?: number;
}

export interface PauseOptions {
  note?: string;
  /** The pause ends by itself then; must be in the future. */
  until?: Date;
}

const listSchema = z.strictObject({
  group: pgString(100).optional(),
  status: z.enum(['enabled', 'disabled', 'paused', 'failing']).optional(),
  enabled: z.boolean().optional(),
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
});

const pauseSchema = z.strictObject({
  note: pgString(2_000).optional(),
  until: instantSchema.optional(),
});

type ScheduleSet = PgUpdateSetSource<typeof schedules>;

/** Logged when Postgres ended a change to break a deadlock with a worker's writes. */
export const DEADLOCK_RETRY = 'deadlock with a worker recording runs; trying again';

export const scheduleNotFound = (ref: string) =>
  new NotFoundError(`schedule "${ref}" not found (give its key or its id)`);

/** The schedule `ref` names (key or id), or NotFoundError. */
export async function loadSchedule(
  conn: Conn,
  ref: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Schedule> {
  const row = await findSchedule(conn, ref, opts);
  if (!row) throw scheduleNotFound(ref);
  return row;
}

export function scheduleMethods(ctx: ServiceContext) {
  /** Locks the row, computes the change, writes it; one transaction. */
  async function change(ref: string, fn: (row: Schedule, now: Date) => ScheduleSet | null) {
    return ctx.db.transaction(async (tx) => {
      const row = await loadSchedule(tx, ref, { forUpdate: true });
      const now = ctx.clock.now();
      const set = fn(row, now);
      if (set === null) return toView(tx, row);
      const [updated] = await tx
        .update(schedules)
        .set({ ...set, updatedAt: now })
        .where(eq(schedules.id, row.id))
        .returning();
      return toView(tx, updated ?? row);
    });
  }

  return {
    async list(opts: ListSchedulesOptions = {}): Promise<{ items: ScheduleView[]; total: number }> {
      const filter = parseOrThrow(listSchema, opts, 'invalid list options');
      const { rows, total } = await listSchedules(ctx.db, filter);
      return { items: await toViews(ctx.db, rows), total };
    },

    async get(ref: string): Promise<ScheduleView> {
      return toView(ctx.db, await loadSchedule(ctx.db, ref));
    },

    async create(input: ScheduleInput): Promise<ScheduleView> {
      const spec = parseScheduleInput(input, ctx.knownHandlers);
      const now = ctx.clock.now();
      const [row] = await ctx.db
        .insert(schedules)
        .values({ ...spec, createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: schedules.key })
        .returning();
      if (!row)
        throw new ConflictError(
          `schedule "${spec.key}" already exists; update it or choose another key`,
        );
      ctx.logger?.info({ scheduleKey: row.key }, 'schedule created');
      return toView(ctx.db, row);
    },

    /**
     * Changes the given fields. A new cadence, time zone or startsAt clears
     * next_run_at (the scheduler recomputes it); enabling behaves like setEnabled.
     */
    async update(ref: string, patch: SchedulePatch): Promise<ScheduleView> {
      return change(ref, (row) => {
        const { spec, changed } = applyPatch(row, patch, ctx.knownHandlers);
        if (changed.length === 0) return null;
        const set: ScheduleSet = {};
        for (const field of changed) Object.assign(set, { [field]: spec[field] });
        // A new cadence is judged afresh by the scheduler on its next poll.
        if (changed.some((f) => SLOT_FIELDS.includes(f)))
          Object.assign(set, { nextRunAt: null, cadenceError: null });
        if (changed.includes('enabled') && spec.enabled)
          Object.assign(set, { nextRunAt: null, disabledReason: null, cadenceError: null });
        ctx.logger?.info({ scheduleKey: row.key, fields: changed }, 'schedule updated');
        return set;
      });
    },

    async remove(ref: string): Promise<{ id: string; key: string }> {
      const row = await loadSchedule(ctx.db, ref);
      // The delete takes the schedule row and then its runs; a worker
      // recording one of those runs takes them the other way round, and
      // Postgres may end either side to break the deadlock. Ours runs again.
      const [gone] = await retryOnConflict(
        () =>
          ctx.db
            .delete(schedules)
            .where(eq(schedules.id, row.id))
            .returning({ id: schedules.id, key: schedules.key }),
        { onRetry: (tries) => ctx.logger?.warn({ scheduleKey: row.key, tries }, DEADLOCK_RETRY) },
      );
      if (!gone) throw scheduleNotFound(ref);
      ctx.logger?.info({ scheduleKey: gone.key }, 'schedule removed');
      return gone;
    },

    /**
     * Enabling clears disabled_reason and, if the schedule was disabled, sets
     * next_run_at NULL: it resumes from now, without catching up on the slots
     * it missed while disabled. Disabling only stops it firing.
     */
    async setEnabled(ref: string, enabled: boolean): Promise<ScheduleView> {
      if (typeof enabled !== 'boolean') {
        throw new ValidationError([
          { field: 'enabled', message: `expected true or false, got ${typeof enabled}` },
        ]);
      }
      return change(ref, (row) => {
        if (!enabled) return row.enabled ? { enabled: false } : null;
        return {
          enabled: true,
          disabledReason: null,
          nextRunAt: row.enabled ? row.nextRunAt : null,
          cadenceError: row.enabled ? row.cadenceError : null,
        };
      });
    },

    /**
     * Stops firing until resume (or `until`). Pausing a paused schedule keeps
     * its original paused_at and replaces the note and the end.
     */
    async pause(ref: string, opts: PauseOptions = {}): Promise<ScheduleView> {
      const { note, until } = parseOrThrow(pauseSchema, opts, 'invalid pause');
      return change(ref, (row, now) => {
        if (until && until.getTime() <= now.getTime()) {
          throw new ValidationError(
            [
              {
                field: 'until',
                message: `must be in the future (now is ${now.toISOString()}, got ${until.toISOString()})`,
              },
            ],
            'invalid pause',
          );
        }
        return {
          pausedAt: sql`COALESCE(${schedules.pausedAt}, ${now.toISOString()}::timestamptz)`,
          pauseNote: note ?? null,
          pausedUntil: until ?? null,
        };
      });
    },

    /**
     * Clears the pause. next_run_at is kept, so the scheduler's catch-up
     * policy decides what happens to the slots the pause skipped.
     */
    async resume(ref: string): Promise<ScheduleView> {
      return change(ref, (row) =>
        row.pausedAt === null && row.pausedUntil === null
          ? null
          : { pausedAt: null, pauseNote: null, pausedUntil: null },
      );
    },
  };
}
