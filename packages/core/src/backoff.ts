export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound on the un-jittered delay; defaults to one hour. */
  maxMs?: number;
  /** Relative spread: the delay is multiplied by a factor in [1 - jitter, 1 + jitter]. Default 0.2. */
  jitter?: number;
  /** Source of uniform numbers in [0, 1]; defaults to Math.random. */
  random?: () => number;
}

const ONE_HOUR_MS = 3_600_000;

/**
 * Delay before retry number `attempt` (1 = the first retry after the first failure):
 * baseMs * 2^(attempt - 1), capped at maxMs, times a jitter factor drawn uniformly from
 * [1 - jitter, 1 + jitter]. With jitter below 1/3, each delay is longer than the one
 * before until the cap is reached. Returns whole milliseconds.
 */
export function computeBackoffMs(attempt: number, opts: BackoffOptions): number {
  const { baseMs, maxMs = ONE_HOUR_MS, jitter = 0.2, random = Math.random } = opts;
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a whole number of at least 1 (got ${attempt})`);
  }
  if (!Number.isFinite(baseMs) || baseMs < 0) {
    throw new RangeError(`baseMs must be a finite number >= 0 (got ${baseMs})`);
  }
  if (!Number.isFinite(maxMs) || maxMs < 0) {
    throw new RangeError(`maxMs must be a finite number >= 0 (got ${maxMs})`);
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new RangeError(`jitter must be between 0 and 1 (got ${jitter})`);
  }

  const exponential = baseMs === 0 ? 0 : baseMs * 2 ** (attempt - 1);
  const capped = Math.min(exponential, maxMs);
  const drawn = random();
  const draw = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0.5;
  const factor = 1 - jitter + 2 * jitter * draw;
  return Math.round(capped * factor);
}
