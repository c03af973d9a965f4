/** listRuns · getRun: the history of what ran. */
import { NotFoundError, isUuid } from '@cronfleet/core';
import {
  RUN_STATUSES,
  RUN_TRIGGERS,
  listAttempts,
  type RunAttempt,
  type RunStatus,
  type RunTrigger,
} from '@cronfleet/db';
import { z } from 'zod';
import type { ServiceContext } from './context.js';
import { ValidationError, parseOrThrow } from './errors.js';
import { instantSchema, pgString } from './values.js';
import { getKeyedRun, listRuns, type KeyedRun } from './queries.js';
import { loadSchedule } from './schedules.js';

export interface ListRunsOptions {
  /** A schedule key or id. */
  ref?: string;
  status?: RunStatus;
  trigger?: RunTrigger;
  /** Slots at or after this instant. */
  from?: Date;
  /** Slots at or before this instant. */
  to?: Date;
  /** 1–500, default 50. */
  limit?: number;
  offset?: number;
}

/** A run (its `attempts` column counts them) and its attempt rows, oldest first. */
export interface RunDetail {
  run: KeyedRun;
  attempts: RunAttempt[];
}

const listSchema = z.strictObject({
  ref: pgString(200, 1).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
});

const runNotFound = (id: string) => new NotFoundError(`run "${id}" not found`);

export function runMethods(ctx: ServiceContext) {
  return {
    /** Runs, newest scheduled_for first, each with its schedule's key. */
    async listRuns(opts: ListRunsOptions = {}): Promise<{ items: KeyedRun[]; total: number }> {
      const { ref, ...filter } = parseOrThrow(listSchema, opts, 'invalid run filter');
      if (filter.from && filter.to && filter.from > filter.to) {
        throw new ValidationError(
          [{ field: 'from', message: 'must not be after to' }],
          'invalid run filter',
        );
      }
      const scheduleId = ref === undefined ? undefined : (await loadSchedule(ctx.db, ref)).id;
      const { rows, total } = await listRuns(ctx.db, { ...filter, scheduleId });
      return { items: rows, total };
    },

    /** One run with its schedule's key and its attempts (oldest first). */
    async getRun(id: string): Promise<RunDetail> {
      if (!isUuid(id)) throw runNotFound(String(id));
      const run = await getKeyedRun(ctx.db, id);
      if (!run) throw runNotFound(id);
      return { run, attempts: await listAttempts(ctx.db, [id]) };
    },
  };
}
