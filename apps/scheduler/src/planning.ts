import { errorMessage, parseCadence, planFirst, planSlots, type Cadence } from '@cronfleet/core';
import type { DueSchedule, SlotPlan } from '@cronfleet/db';

/** How long an unparseable schedule waits before the scheduler looks at it again. */
export const INVALID_RECHECK_MS = 60_000;
const CACHE_LIMIT = 5_000;

/**
 * Turns due rows into slot plans. Parsing and validating a cadence costs far
 * more than applying it, and a fleet shares few distinct cadences, so the
 * outcome (a cadence or the reason it is invalid) is cached per definition.
 */
export function createPlanner(opts: { recheckMs?: number } = {}) {
  const cache = new Map<string, Cadence | { invalid: string }>();
  const recheckMs = opts.recheckMs ?? INVALID_RECHECK_MS;

  function cadenceOf(row: DueSchedule): Cadence | { invalid: string } {
    const key = `${row.cronExpression ?? ''}\u0000${row.intervalSeconds ?? ''}\u0000${row.timezone}`;
    let found = cache.get(key);
    if (!found) {
      try {
        found = parseCadence(row);
      } catch (err) {
        found = { invalid: errorMessage(err) };
      }
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, found);
    }
    return found;
  }

  function decide(row: DueSchedule, now: Date, choose: (c: Cadence) => SlotPlan): SlotPlan {
    const cadence = cadenceOf(row);
    if ('invalid' in cadence) {
      return { error: cadence.invalid, recheckAt: new Date(now.getTime() + recheckMs) };
    }
    try {
      return choose(cadence);
    } catch (err) {
      return { error: errorMessage(err), recheckAt: new Date(now.getTime() + recheckMs) };
    }
  }

  return {
    /** For a due schedule: which slots get runs (catch-up, window, overlap, max_runs) and where next_run_at moves. */
    forDue: (now: Date) => (row: DueSchedule) =>
      decide(row, now, (cadence) =>
        planSlots({
          cadence,
          due: row.nextRunAt ?? now,
          now,
          catchup: { catchup: row.catchupPolicy, maxCatchup: row.maxCatchup },
          overlap: row.overlapPolicy,
          inFlight: row.inFlight,
          startsAt: row.startsAt,
          endsAt: row.endsAt,
          maxRuns: row.maxRuns,
          runCount: row.runCount,
        }),
      ),
    /** For a schedule with no next_run_at yet: its first slot after now inside its window, firing nothing. */
    forFirst: (now: Date) => (row: DueSchedule) =>
      decide(row, now, (cadence) => ({ runs: [], ...planFirst(cadence, now, row) })),
  };
}

export type Planner = ReturnType<typeof createPlanner>;
