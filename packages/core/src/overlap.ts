/**
 * Overlap: what happens to a new slot while earlier runs of the same schedule
 * are still in flight. Decided in Postgres for the whole fleet, never per process.
 *
 * - `skip` (default): a slot whose schedule has a run pending, queued, running
 *   or retrying is written `skipped` with reason `overlap`.
 * - `allow`: every slot runs, concurrently if need be.
 * - `buffer_one`: at most one run waits behind the one in flight; later slots
 *   are skipped.
 * - `cancel_previous`: runs in flight are cancelled (aborted through their
 *   signal if running) and the newest slot runs.
 */
export type OverlapPolicy = 'skip' | 'allow' | 'buffer_one' | 'cancel_previous';

export interface InFlight {
  /** Runs a worker is executing now. */
  running: number;
  /** Runs pending, queued or waiting to retry. */
  waiting: number;
}

export interface SlotDecision {
  slot: Date;
  status: 'pending' | 'skipped';
  reason?: string;
}

export interface OverlapOutcome {
  decisions: SlotDecision[];
  /** True when the runs in flight must be cancelled to make way. */
  cancelActive: boolean;
}

export const OVERLAP_REASON = 'overlap';

/** Slots are oldest first; each one that runs counts as in flight for the next. */
export function applyOverlap(
  policy: OverlapPolicy,
  inFlight: InFlight,
  slots: readonly Date[],
): OverlapOutcome {
  const busy = inFlight.running + inFlight.waiting;
  const run = (slot: Date): SlotDecision => ({ slot, status: 'pending' });
  const skip = (slot: Date): SlotDecision => ({ slot, status: 'skipped', reason: OVERLAP_REASON });
  switch (policy) {
    case 'allow':
      return { decisions: slots.map(run), cancelActive: false };
    case 'skip':
      return {
        decisions: slots.map((slot, i) => (busy === 0 && i === 0 ? run(slot) : skip(slot))),
        cancelActive: false,
      };
    case 'buffer_one': {
      const room = Math.max(0, 2 - busy);
      return {
        decisions: slots.map((slot, i) => (i < room ? run(slot) : skip(slot))),
        cancelActive: false,
      };
    }
    case 'cancel_previous': {
      const last = slots.length - 1;
      return {
        decisions: slots.map((slot, i) => (i === last ? run(slot) : skip(slot))),
        cancelActive: busy > 0 && slots.length > 0,
      };
    }
    default:
      throw new RangeError(
        `overlap policy must be skip, allow, buffer_one or cancel_previous (got ${String(policy)})`,
      );
  }
}
