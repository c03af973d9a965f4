/**
 * Catch-up: what to fire for a schedule that is due, possibly long overdue after
 * an outage. `due` is the schedule's stored next_run_at and always counts as a
 * slot, even when it is off the cron grid (a row written by hand with SQL).
 */
import type { Cadence } from './cadence.js';
import { latestSlotMs, nextSlotMs } from './slots.js';

export type CatchupMode = 'skip' | 'latest' | 'all';

export interface CatchupPolicy {
  /**
   * - `latest` (default): fire only the most recent slot at or before now.
   * - `skip`: fire `due` only when it is the most recent slot (nothing was missed);
   *   after an outage fire nothing and wait for the next slot.
   * - `all`: fire every missed slot, oldest first, but at most the `maxCatchup`
   *   most recent ones.
   */
  catchup: CatchupMode;
  /** Cap for `all`; ignored by the other modes. */
  maxCatchup: number;
}

export interface DuePlan {
  /** Slots to fire now, oldest first. */
  fire: Date[];
  /** The schedule's new next_run_at: the first slot strictly after now. */
  next: Date;
  /**
   * Slots in [due, now] that will not fire. Exact for intervals; for cron it is
   * counted up to MAX_COUNTED_MISSED and saturates there.
   */
  dropped: number;
}

export const DEFAULT_CATCHUP_POLICY: Readonly<CatchupPolicy> = Object.freeze({
  catchup: 'latest',
  maxCatchup: 100,
});

/** Counting missed cron slots walks them one by one; stop here so an outage cannot stall a scheduler. */
export const MAX_COUNTED_MISSED = 10_000;

/** Number of slots in [due, now], `due` included. */
function countMissed(cadence: Cadence, due: number, now: number): number {
  if (cadence.kind === 'interval') return Math.floor((now - due) / (cadence.seconds * 1000)) + 1;
  let count = 1;
  for (
    let cursor = nextSlotMs(cadence, due, null);
    cursor <= now;
    cursor = nextSlotMs(cadence, cursor, null)
  ) {
    count++;
    if (count >= MAX_COUNTED_MISSED) break;
  }
  return count;
}

/** The most recent `max` slots in [due, now], oldest first. */
function recentSlots(cadence: Cadence, due: number, now: number, max: number): number[] {
  const newestFirst: number[] = [];
  let cursor: number | null = now;
  while (newestFirst.length < max) {
    const slot: number | null = latestSlotMs(cadence, cursor, due);
    if (slot === null || slot <= due) {
      newestFirst.push(due);
      break;
    }
    newestFirst.push(slot);
    cursor = slot - 1;
  }
  return newestFirst.reverse();
}

function checkPolicy(policy: CatchupPolicy): void {
  if (policy.catchup !== 'skip' && policy.catchup !== 'latest' && policy.catchup !== 'all') {
    throw new RangeError(
      `catchup must be 'skip', 'latest' or 'all' (got ${String(policy.catchup)})`,
    );
  }
  if (!Number.isInteger(policy.maxCatchup) || policy.maxCatchup < 0) {
    throw new RangeError(`maxCatchup must be a whole number >= 0 (got ${policy.maxCatchup})`);
  }
}

/**
 * Decide what to fire for one due schedule. `due` is its stored next_run_at; if it
 * is still in the future nothing fires and `next` stays `due`. Interval grids are
 * anchored on `due`.
 */
export function planDue(
  cadence: Cadence,
  due: Date,
  now: Date,
  policy: CatchupPolicy = DEFAULT_CATCHUP_POLICY,
): DuePlan {
  checkPolicy(policy);
  const dueMs = due.getTime();
  const nowMs = now.getTime();
  if (!Number.isFinite(dueMs) || !Number.isFinite(nowMs)) {
    throw new RangeError('due and now must be valid Dates');
  }
  if (dueMs > nowMs) return { fire: [], next: new Date(dueMs), dropped: 0 };

  const next = new Date(nextSlotMs(cadence, nowMs, dueMs));
  const missed = countMissed(cadence, dueMs, nowMs);
  let fire: number[];
  if (policy.catchup === 'all') {
    fire = recentSlots(cadence, dueMs, nowMs, Math.min(policy.maxCatchup, missed));
  } else {
    const latest = Math.max(latestSlotMs(cadence, nowMs, dueMs) ?? dueMs, dueMs);
    fire = policy.catchup === 'latest' || latest === dueMs ? [latest] : [];
  }
  return { fire: fire.map((ms) => new Date(ms)), next, dropped: Math.max(missed - fire.length, 0) };
}
