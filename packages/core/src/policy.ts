/**
 * The whole decision for one due schedule, as a pure function: which slots get a
 * run row (and in which state), where next_run_at moves, and whether the
 * schedule has run its course. Order: catch-up → active window → overlap → max_runs.
 */
import type { Cadence } from './cadence.js';
import { planDue, type CatchupPolicy } from './catchup.js';
import { applyOverlap, type InFlight, type OverlapPolicy, type SlotDecision } from './overlap.js';
import { latestSlotAtOrBefore, nextSlotAfter } from './slots.js';

export interface SlotPolicyInput {
  cadence: Cadence;
  /** The schedule's stored next_run_at (<= now when due). */
  due: Date;
  now: Date;
  catchup: CatchupPolicy;
  overlap: OverlapPolicy;
  inFlight: InFlight;
  startsAt?: Date | null;
  endsAt?: Date | null;
  maxRuns?: number | null;
  /** Scheduled runs fired so far. */
  runCount?: number;
}

export type Completion = 'ends_at' | 'max_runs';

export interface SlotPolicyPlan {
  runs: SlotDecision[];
  /** NULL when the schedule has no slot left. */
  next: Date | null;
  completed?: Completion;
  cancelActive: boolean;
}

export const CATCHUP_REASON = 'catchup';

const inWindow = (slot: Date, startsAt?: Date | null, endsAt?: Date | null) =>
  (!startsAt || slot >= startsAt) && (!endsAt || slot <= endsAt);

/** The first slot at or after the window opens, for a schedule whose window has not begun. */
export function firstSlotFrom(cadence: Cadence, from: Date, anchor?: Date | null): Date {
  return nextSlotAfter(cadence, new Date(from.getTime() - 1), anchor);
}

export function planSlots(input: SlotPolicyInput): SlotPolicyPlan {
  const { cadence, due, now, startsAt, endsAt } = input;
  const due_ = planDue(cadence, due, now, input.catchup);
  const fire = due_.fire.filter((slot) => inWindow(slot, startsAt, endsAt));
  const notes: SlotDecision[] = [];
  if (due_.dropped > 0) {
    // The history says what catch-up left out, on a skipped row for the newest slot not run.
    const newestMissed =
      input.catchup.catchup === 'skip' ? latestSlotAtOrBefore(cadence, now, due) : null;
    const detail = `${due_.dropped} missed slot${due_.dropped === 1 ? '' : 's'} not run (catch-up ${input.catchup.catchup}${input.catchup.catchup === 'all' ? `, max_catchup ${input.catchup.maxCatchup}` : ''})`;
    if (newestMissed && inWindow(newestMissed, startsAt, endsAt)) {
      notes.push({ slot: newestMissed, status: 'skipped', reason: `${CATCHUP_REASON}: ${detail}` });
    } else if (fire[0]) {
      notes.push({ slot: fire[0], status: 'pending', reason: `${CATCHUP_REASON}: ${detail}` });
    }
  }

  let next: Date | null = due_.next;
  if (startsAt && next < startsAt) next = firstSlotFrom(cadence, startsAt, due);
  let completed: Completion | undefined;
  if (endsAt && next > endsAt) {
    next = null;
    completed = 'ends_at';
  }

  const overlap = applyOverlap(input.overlap, input.inFlight, fire);
  const runs = overlap.decisions.map((d) => {
    const note = notes.find((n) => n.slot.getTime() === d.slot.getTime() && n.status === 'pending');
    return note && d.status === 'pending' ? { ...d, reason: note.reason } : d;
  });
  for (const note of notes) if (note.status === 'skipped') runs.unshift(note);

  if (input.maxRuns != null) {
    let left = input.maxRuns - (input.runCount ?? 0);
    const limited = runs.filter((r) => r.status !== 'pending' || left-- > 0);
    if (left <= 0) {
      return {
        runs: limited,
        next: null,
        completed: 'max_runs',
        cancelActive: overlap.cancelActive,
      };
    }
    return { runs: limited, next, completed, cancelActive: overlap.cancelActive };
  }
  return { runs, next, completed, cancelActive: overlap.cancelActive };
}

/** The first slot of a schedule that has none yet, inside its window. */
export function planFirst(
  cadence: Cadence,
  now: Date,
  window: { startsAt?: Date | null; endsAt?: Date | null } = {},
): { next: Date | null; completed?: Completion } {
  let next = nextSlotAfter(cadence, now);
  if (window.startsAt && next < window.startsAt) next = firstSlotFrom(cadence, window.startsAt);
  if (window.endsAt && next > window.endsAt) return { next: null, completed: 'ends_at' };
  return { next };
}
