/** runNow · backfill: runs written in Postgres first, then handed to the queue. */
import {
  applyOverlap,
  errorMessage,
  parseCadence,
  slotsBetween,
  type Cadence,
  type OverlapPolicy,
  type SlotDecision,
} from '@cronfleet/core';
import {
  cancelRunsInFlight,
  countInFlight,
  markRunsQueued,
  type DispatchRun,
  type Schedule,
  type ScheduleRun,
} from '@cronfleet/db';
import { z } from 'zod';
import type { ServiceContext } from './context.js';
import { ValidationError, cadenceIssue, parseOrThrow } from './errors.js';
import { instantSchema } from './values.js';
import { insertBackfillRuns, insertRun, runsByIds, slotsWithRuns, type Conn } from './queries.js';
import { loadSchedule } from './schedules.js';

/** Recorded as claimed_by on runs the service writes (the scheduler records its id). */
export const SERVICE_CLAIMANT = 'cronfleet-service';
const NOT_QUEUED = "not handed to the queue; the scheduler's relay will deliver it";

export interface RunNowResult {
  run: ScheduleRun;
  /** queued: in Redis · pending: written, the relay will deliver it · skipped: refused by the overlap policy. */
  status: 'queued' | 'pending' | 'skipped';
  reason?: string;
  queued: boolean;
  /** Runs cancelled to make way (overlap policy cancel_previous); the caller publishes the cancel. */
  cancelledRunIds: string[];
}

export interface BackfillOptions {
  from: Date;
  /** Not after now. */
  to: Date;
  dryRun?: boolean;
  /** Most runs to create, 1–10 000 (default 1 000). */
  limit?: number;
}

export interface BackfillResult {
  /** The slots it created (or, in a dry run, would create), oldest first. */
  slots: Date[];
  /** Slots in the examined range that already had a scheduled or backfilled run. */
  existing: number;
  /** More slots in the range were left for another call. */
  truncated: boolean;
  runs?: ScheduleRun[];
  queued?: boolean;
}

const runNowSchema = z.strictObject({ force: z.boolean().optional() });
const backfillSchema = z.strictObject({
  from: instantSchema,
  to: instantSchema,
  dryRun: z.boolean().optional(),
  limit: z.number().int().min(1).max(10_000).default(1_000),
});

const CHUNK = 1_000;
/** A range examined this far without reaching `limit` missing slots is reported truncated. */
const MAX_EXAMINED = 200_000;

function toDispatch(run: ScheduleRun, schedule: Schedule): DispatchRun {
  return {
    runId: run.id,
    scheduleId: schedule.id,
    scheduleKey: schedule.key,
    handler: schedule.handler,
    payload: schedule.payload,
    scheduledFor: run.scheduledFor,
    trigger: run.trigger as DispatchRun['trigger'],
    maxAttempts: schedule.maxAttempts,
    backoffMs: schedule.backoffMs,
    timeoutMs: schedule.timeoutMs,
    // A manual run starts now; backfilled runs keep the schedule's load spread.
    jitterSeconds: run.trigger === 'manual' ? 0 : schedule.jitterSeconds,
    overlapPolicy: schedule.overlapPolicy as OverlapPolicy,
    group: schedule.group,
  };
}

/** After commit: enqueue, then mark queued. A queue failure leaves the runs to the relay. */
async function handOff(
  ctx: ServiceContext,
  schedule: Schedule,
  runs: readonly ScheduleRun[],
): Promise<boolean> {
  if (runs.length === 0) return true;
  if (!ctx.queue) return false;
  const log = ctx.logger?.child({ scheduleKey: schedule.key });
  try {
    for (let i = 0; i < runs.length; i += CHUNK) {
      await ctx.queue.enqueue(runs.slice(i, i + CHUNK).map((run) => toDispatch(run, schedule)));
    }
  } catch (err) {
    log?.warn({ err, runs: runs.length }, `enqueue failed; ${NOT_QUEUED}`);
    return false;
  }
  try {
    await markRunsQueued(ctx.db, { runIds: runs.map((r) => r.id), now: ctx.clock.now() });
  } catch (err) {
    // The jobs are in Redis; a relay pass re-adding them is a no-op (jobId = run id).
    log?.warn({ err: errorMessage(err) }, 'runs enqueued but not marked queued');
  }
  return true;
}

function cadenceOf(schedule: Schedule): Cadence {
  try {
    return parseCadence(schedule);
  } catch (err) {
    throw new ValidationError(
      [cadenceIssue(err)],
      `schedule "${schedule.key}" has an invalid cadence`,
    );
  }
}

/** Slots in [from, to] without a non-manual run, up to `limit`. */
async function missingSlots(
  conn: Conn,
  schedule: Schedule,
  range: { from: Date; to: Date; limit: number },
) {
  const cadence = cadenceOf(schedule);
  const missing: Date[] = [];
  let existing = 0;
  let examined = 0;
  let cursor = range.from;
  let inclusiveFrom = true;
  for (;;) {
    const chunk = slotsBetween(cadence, {
      from: cursor,
      to: range.to,
      inclusiveFrom,
      limit: CHUNK,
    });
    const taken = await slotsWithRuns(conn, schedule.id, chunk.slots);
    for (const slot of chunk.slots) {
      if (taken.has(slot.getTime())) existing++;
      else if (missing.length < range.limit) missing.push(slot);
      else return { missing, existing, truncated: true };
    }
    examined += chunk.slots.length;
    const last = chunk.slots.at(-1);
    if (!chunk.truncated || !last) return { missing, existing, truncated: false };
    if (examined >= MAX_EXAMINED) return { missing, existing, truncated: true };
    cursor = last;
    inclusiveFrom = false;
  }
}

export function dispatchMethods(ctx: ServiceContext) {
  return {
    /**
     * A `manual` run of the schedule now, not moving next_run_at. Unless
     * `force`, the overlap policy decides: a refusal is written as a `skipped`
     * run (so history shows it); cancel_previous cancels the runs in flight.
     */
    async runNow(ref: string, opts: { force?: boolean } = {}): Promise<RunNowResult> {
      const { force = false } = parseOrThrow(runNowSchema, opts, 'invalid run-now options');
      const now = ctx.clock.now();
      const { schedule, run, cancelledRunIds } = await ctx.db.transaction(async (tx) => {
        // The lock makes count-then-insert safe against a concurrent run-now or claim.
        const schedule = await loadSchedule(tx, ref, { forUpdate: true });
        let decision: SlotDecision = { slot: now, status: 'pending' };
        let cancelledRunIds: string[] = [];
        if (!force) {
          const inFlight = (await countInFlight(tx, [schedule.id])).get(schedule.id) ?? {
            running: 0,
            waiting: 0,
          };
          const outcome = applyOverlap(schedule.overlapPolicy as OverlapPolicy, inFlight, [now]);
          decision = outcome.decisions[0] ?? decision;
          if (outcome.cancelActive) {
            cancelledRunIds = await cancelRunsInFlight(tx, { scheduleIds: [schedule.id], now });
          }
        }
        const skipped = decision.status === 'skipped';
        const run = await insertRun(tx, {
          scheduleId: schedule.id,
          scheduledFor: now,
          trigger: 'manual',
          status: skipped ? 'skipped' : 'pending',
          reason: decision.reason ?? null,
          finishedAt: skipped ? now : null,
          claimedBy: SERVICE_CLAIMANT,
          claimedAt: now,
        });
        return { schedule, run, cancelledRunIds };
      });
      const log = ctx.logger?.child({ scheduleKey: schedule.key, runId: run.id });
      if (cancelledRunIds.length > 0) await announceCancel(ctx, cancelledRunIds);
      if (run.status === 'skipped') {
        log?.info({ reason: run.reason }, 'run-now skipped');
        return {
          run,
          status: 'skipped',
          reason: run.reason ?? 'overlap',
          queued: false,
          cancelledRunIds,
        };
      }
      const queued = await handOff(ctx, schedule, [run]);
      const [fresh = run] = await runsByIds(ctx.db, [run.id]);
      log?.info({ queued, cancelled: cancelledRunIds.length, force }, 'run-now');
      return queued
        ? { run: fresh, status: 'queued', queued, cancelledRunIds }
        : { run: fresh, status: 'pending', reason: NOT_QUEUED, queued, cancelledRunIds };
    },

    /**
     * One `backfill` run per cadence slot in [from, to] that has no scheduled
     * or backfilled run yet. Idempotent: the unique slot index keeps a repeat
     * (or a race with the scheduler) from writing a slot twice.
     */
    async backfill(ref: string, opts: BackfillOptions): Promise<BackfillResult> {
      const {
        from,
        to,
        dryRun = false,
        limit,
      } = parseOrThrow(backfillSchema, opts, 'invalid backfill');
      const now = ctx.clock.now();
      const issues = [];
      if (from.getTime() >= to.getTime()) {
        issues.push({
          field: 'from',
          message: `must be before to (${to.toISOString()}); got ${from.toISOString()}`,
        });
      }
      if (to.getTime() > now.getTime()) {
        issues.push({
          field: 'to',
          message: `must not be in the future (now is ${now.toISOString()}); got ${to.toISOString()}`,
        });
      }
      if (issues.length > 0) throw new ValidationError(issues, 'invalid backfill');
      const schedule = await loadSchedule(ctx.db, ref);
      const found = await missingSlots(ctx.db, schedule, { from, to, limit });
      if (dryRun)
        return { slots: found.missing, existing: found.existing, truncated: found.truncated };

      const created = await ctx.db.transaction((tx) =>
        insertBackfillRuns(tx, {
          scheduleId: schedule.id,
          slots: found.missing,
          now,
          claimedBy: SERVICE_CLAIMANT,
        }),
      );
      const queued = await handOff(ctx, schedule, created);
      const runs = await runsByIds(
        ctx.db,
        created.map((r) => r.id),
      );
      ctx.logger?.info({ scheduleKey: schedule.key, created: created.length, queued }, 'backfill');
      return {
        slots: created.map((r) => r.scheduledFor),
        existing: found.existing + (found.missing.length - created.length),
        truncated: found.truncated,
        runs,
        queued,
      };
    },
  };
}

/** Tells workers to abort cancelled runs; if Redis cannot be told, those handlers simply run to their end. */
async function announceCancel(ctx: ServiceContext, runIds: string[]): Promise<void> {
  if (!ctx.queue?.publishCancel) return;
  try {
    await ctx.queue.publishCancel(runIds);
  } catch (err) {
    ctx.logger?.warn({ err, runs: runIds }, 'could not tell workers to cancel runs');
  }
}
