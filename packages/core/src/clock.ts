/** The one source of time. Production code takes a Clock; tests pass a manual one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = Object.freeze({ now: () => new Date() });

export interface ManualClock extends Clock {
  /** Jump to an absolute instant (a Date or epoch milliseconds). */
  set(at: Date | number): void;
  /** Move forward (or back, with a negative value) by `ms` milliseconds. */
  advance(ms: number): void;
}

function toEpochMs(at: Date | number, what: string): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (!Number.isFinite(ms)) {
    throw new RangeError(`${what} must be a valid date or epoch milliseconds (got ${String(at)})`);
  }
  return ms;
}

/** A clock that only moves when told to. `now()` returns a fresh Date each call. */
export function createManualClock(start: Date | number): ManualClock {
  let current = toEpochMs(start, 'createManualClock(start)');
  return {
    now: () => new Date(current),
    set(at) {
      current = toEpochMs(at, 'ManualClock.set(at)');
    },
    advance(ms) {
      if (!Number.isFinite(ms)) {
        throw new RangeError(`ManualClock.advance(ms) needs a finite number (got ${ms})`);
      }
      current += ms;
    },
  };
}

/**
 * Resolves with the value of `work`, or with 'timeout' after `ms`, whichever
 * comes first. The timer is cleared either way, so it never keeps a finished
 * process alive.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
