import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock, type Logger } from '@cronfleet/core';
import {
  claimDueSchedules,
  initializeNextRuns,
  nextDueAt,
  resumeExpiredPauses,
  type ClaimResult,
  type Db,
} from '@cronfleet/db';
import { createPlanner } from './planning.js';
import { createRelay, handOff, type HandOffQueue, type RelayPass } from './relay.js';

export interface SchedulerOptions {
  db: Db;
  queue: HandOffQueue;
  logger: Logger;
  id: string;
  clock?: Clock;
  pollMs?: number;
  batchSize?: number;
  /** Batches claimed back to back in one tick before yielding. */
  maxBatchesPerTick?: number;
  relayGraceMs?: number;
  relayIntervalMs?: number;
  lostAfterMs?: number;
}

export interface TickResult {
  initialized: number;
  claimed: number;
  /** Runs written `skipped` by a policy (overlap, catch-up). */
  skipped: number;
  queued: number;
  /** True when the last batch was full, so more may be due right now. */
  more: boolean;
}

export interface Scheduler {
  /** One claim pass (exposed for tests and benchmarks; the loop calls it). */
  tick(): Promise<TickResult>;
  relay(): Promise<RelayPass>;
  start(): void;
  /** Stops the loops after the pass in progress; never leaves a claim half done. */
  stop(): Promise<void>;
  readiness(): Promise<{ ready: boolean; checks: Record<string, boolean | string> }>;
}

const MAX_BACKOFF_MS = 30_000;
/**
 * Claim transactions one scheduler runs side by side. SKIP LOCKED gives each
 * its own rows, as it does for replicas; one claim is mostly round trips, and
 * two keep Postgres busy while the other waits (dispatch bench: 0.74–0.88 of
 * the baseline with one lane, 0.96–1.07 with two, in alternating pairs).
 */
export const CLAIM_LANES = 2;
/** Claimed batches on their way to Redis at once (bounded so a slow Redis slows the claims). */
const MAX_HANDOFFS_IN_FLIGHT = CLAIM_LANES + 1;
/** Connections a scheduler needs: its claim lanes, their hand-offs and the relay. */
export const SCHEDULER_POOL_SIZE = CLAIM_LANES + MAX_HANDOFFS_IN_FLIGHT + 1;

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger;
  const pollMs = opts.pollMs ?? 1_000;
  const batchSize = opts.batchSize ?? 500;
  const maxBatches = opts.maxBatchesPerTick ?? 20;
  const relayIntervalMs = opts.relayIntervalMs ?? 5_000;
  const relayOpts = {
    db: opts.db,
    queue: opts.queue,
    logger: log.child({ component: 'relay' }),
    claimedBy: opts.id,
    graceMs: opts.relayGraceMs ?? 15_000,
    lostAfterMs: opts.lostAfterMs ?? 60_000,
    limit: batchSize,
  };
  const relay = createRelay(relayOpts);
  const planner = createPlanner();
  const stopper = new AbortController();
  let loops: Promise<void>[] = [];
  let lastTickOkAt: number | undefined;
  let lastError: string | undefined;

  function reportInvalid(invalid: { key: string; error: string }[]) {
    for (const item of invalid) {
      log.warn(
        { scheduleKey: item.key, error: item.error },
        'schedule cannot be planned; recorded on the row and skipped',
      );
    }
  }

  /** Tells workers about cancelled runs; a lost message only means the handler runs to its end. */
  async function announce(claim: ClaimResult) {
    for (const c of claim.completed)
      log.info(
        { scheduleKey: c.key, reason: c.reason },
        'schedule ran its course and was disabled',
      );
    if (claim.cancelledRunIds.length === 0 || !opts.queue.publishCancel) return;
    try {
      await opts.queue.publishCancel(claim.cancelledRunIds);
      log.info({ runs: claim.cancelledRunIds }, 'cancelled runs superseded by a newer slot');
    } catch (err) {
      log.warn({ err, runs: claim.cancelledRunIds }, 'could not tell workers to cancel runs');
    }
  }

  async function tick(): Promise<TickResult> {
    const resumed = await resumeExpiredPauses(opts.db, clock.now());
    for (const key of resumed) log.info({ scheduleKey: key }, 'pause ended; schedule resumed');
    const first = await initializeNextRuns(opts.db, {
      now: clock.now(),
      limit: batchSize,
      plan: planner.forFirst(clock.now()),
    });
    reportInvalid(first.invalid);
    const result: TickResult = {
      initialized: first.initialized,
      claimed: 0,
      skipped: 0,
      queued: 0,
      more: false,
    };
    // Hand-offs run behind the claims: batch N goes to Redis while batch N+1 is claimed.
    const handOffs = new Set<Promise<void>>();
    let started = 0;
    // Set once a claim finds fewer due rows than a batch: nothing is left for another.
    let drained = false;
    const lane = async () => {
      while (started < maxBatches && !drained && !stopper.signal.aborted) {
        started += 1;
        const now = clock.now();
        const claim = await claimDueSchedules(opts.db, {
          now,
          limit: batchSize,
          claimedBy: opts.id,
          plan: planner.forDue(now),
        });
        if (claim.locked < batchSize) drained = true;
        reportInvalid(claim.invalid);
        await announce(claim);
        result.claimed += claim.runs.length;
        result.skipped += claim.skipped;
        if (claim.runs.length === 0) continue;
        for (const run of claim.runs) {
          log.debug(
            { scheduleKey: run.scheduleKey, runId: run.runId, slot: run.scheduledFor },
            'slot claimed',
          );
        }
        const pending = handOff(
          { db: opts.db, queue: opts.queue, logger: log },
          claim.runs,
          clock.now(),
        ).then((handed) => {
          result.queued += handed.queued;
        });
        handOffs.add(pending);
        pending.then(
          () => handOffs.delete(pending),
          () => handOffs.delete(pending),
        );
        if (handOffs.size >= MAX_HANDOFFS_IN_FLIGHT) await Promise.race(handOffs);
      }
    };
    // Both lanes finish before the tick reports, so a failed one leaves no claim running behind it.
    const lanes = await Promise.allSettled(Array.from({ length: CLAIM_LANES }, lane));
    result.more = !drained && !stopper.signal.aborted;
    // A refused enqueue leaves its runs pending for the relay; a failed mark-queued surfaces here.
    await Promise.all(handOffs);
    for (const l of lanes) if (l.status === 'rejected') throw l.reason;
    if (result.claimed + result.skipped > 0) {
      log.info(
        { claimed: result.claimed, queued: result.queued, skipped: result.skipped },
        'dispatched due slots',
      );
    }
    return result;
  }

  /** Sleep until the nearest slot, but never longer than one poll interval. */
  async function idleMs(): Promise<number> {
    const due = await nextDueAt(opts.db);
    if (due.uninitialized) return 0;
    if (!due.nextDueAt) return pollMs;
    return Math.max(0, Math.min(pollMs, due.nextDueAt.getTime() - clock.now().getTime()));
  }

  async function claimLoop() {
    let failures = 0;
    while (!stopper.signal.aborted) {
      let waitMs: number;
      try {
        const result = await tick();
        lastTickOkAt = Date.now();
        lastError = undefined;
        failures = 0;
        waitMs = result.more ? 0 : await idleMs();
      } catch (err) {
        failures += 1;
        lastError = err instanceof Error ? err.message : String(err);
        waitMs = Math.min(pollMs * 2 ** Math.min(failures, 10), MAX_BACKOFF_MS);
        log.error({ err, failures, retryInMs: waitMs }, 'scheduler tick failed; backing off');
      }
      await pause(waitMs);
    }
  }

  async function relayLoop() {
    while (!stopper.signal.aborted) {
      await pause(relayIntervalMs);
      if (stopper.signal.aborted) return;
      try {
        await relay.once(clock.now());
      } catch (err) {
        log.warn({ err }, 'relay pass failed; will try again');
      }
    }
  }

  async function pause(ms: number) {
    if (ms <= 0) return;
    await sleep(ms, undefined, { signal: stopper.signal }).catch(() => undefined);
  }

  return {
    tick,
    relay: () => relay.once(clock.now()),
    start() {
      if (loops.length > 0) return;
      log.info({ pollMs, batchSize, relayIntervalMs }, 'scheduler loop started');
      loops = [claimLoop(), relayLoop()];
    },
    async stop() {
      stopper.abort();
      await Promise.allSettled(loops);
    },
    async readiness() {
      const freshWithin = Math.max(pollMs * 5, 15_000);
      const fresh = lastTickOkAt !== undefined && Date.now() - lastTickOkAt < freshWithin;
      const redis = await opts.queue.ping();
      return {
        ready: fresh && redis,
        checks: { loop: fresh ? true : (lastError ?? 'no successful pass yet'), redis },
      };
    },
  };
}
