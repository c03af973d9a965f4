/** preview: the next slots of a schedule or of an unsaved cadence, with their local times. */
import {
  parseCadence,
  upcomingSlots,
  zoneTime,
  type Cadence,
  type CadenceInput,
} from '@cronfleet/core';

/** Wall-clock time and offset of a slot (computed in core, from the zone's transitions). */
export { zoneTime };
import { z } from 'zod';
import type { ServiceContext } from './context.js';
import { ValidationError, cadenceIssue, parseOrThrow } from './errors.js';
import { parseCadenceInput } from './input.js';
import { instantSchema } from './values.js';
import { loadSchedule } from './schedules.js';

export type PreviewInput =
  | { ref: string }
  | { cron: string; timezone?: string }
  | { cronExpression: string; timezone?: string }
  | { intervalSeconds: number };

export interface PreviewSlot {
  /** ISO instant, UTC. */
  at: string;
  /** 'YYYY-MM-DD HH:mm:ss' on the wall clock of the zone. */
  local: string;
  /** The zone's UTC offset then, e.g. '+01:00'. */
  offset: string;
  /** Set when the offset differs from the previous slot's (for the first slot: from the offset at `after`). */
  dstChange?: string;
}

export interface PreviewResult {
  /** The zone local times are shown in (UTC for an unsaved interval). */
  timezone: string;
  slots: PreviewSlot[];
}

const optionsSchema = z.strictObject({
  count: z.number().int().min(1).max(100),
  after: instantSchema.optional(),
});

function cadenceFor(input: CadenceInput): Cadence {
  try {
    return parseCadence(input);
  } catch (err) {
    throw new ValidationError([cadenceIssue(err)], 'invalid schedule');
  }
}

export function previewMethods(ctx: ServiceContext) {
  return {
    /**
     * The next `count` (1–100, default 5) slots after `after` (default now).
     * For a saved schedule, slots outside its startsAt/endsAt window are left
     * out, so fewer than `count` may come back.
     */
    async preview(input: PreviewInput, count = 5, after?: Date): Promise<PreviewResult> {
      const opts = parseOrThrow(
        optionsSchema,
        after === undefined ? { count } : { count, after },
        'invalid preview',
      );
      let from = opts.after ?? ctx.clock.now();
      let cadence: Cadence;
      let timezone: string;
      let endsAt: Date | null = null;
      if (typeof input === 'object' && input !== null && 'ref' in input) {
        const schedule = await loadSchedule(ctx.db, input.ref);
        cadence = cadenceFor(schedule);
        timezone = schedule.timezone;
        endsAt = schedule.endsAt;
        const beforeStart = schedule.startsAt ? new Date(schedule.startsAt.getTime() - 1) : null;
        if (beforeStart && beforeStart > from) from = beforeStart;
      } else {
        if (typeof input !== 'object' || input === null) {
          throw new ValidationError(
            [
              {
                field: '(input)',
                message: 'expected { ref }, { cron, timezone? } or { intervalSeconds }',
              },
            ],
            'invalid preview',
          );
        }
        cadence = parseCadenceInput(input);
        timezone = cadence.kind === 'cron' ? cadence.timezone : 'UTC';
      }
      const slots = upcomingSlots(cadence, from, opts.count).filter(
        (slot) => !endsAt || slot <= endsAt,
      );
      let previous = zoneTime(from, timezone).offset;
      return {
        timezone,
        slots: slots.map((slot) => {
          const { local, offset } = zoneTime(slot, timezone);
          const change =
            offset !== previous ? `offset changes from ${previous} to ${offset}` : undefined;
          previous = offset;
          return {
            at: slot.toISOString(),
            local,
            offset,
            ...(change ? { dstChange: change } : {}),
          };
        }),
      };
    },
  };
}
