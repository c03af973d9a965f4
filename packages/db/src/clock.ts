import { sql } from 'drizzle-orm';
import { systemClock, type Clock, type Logger } from '@cronfleet/core';
import type { Db } from './client.js';
import { rowsOf } from './queries/util.js';

/**
 * Postgres' clock, read through the local one: the offset between them is
 * measured at start and then every `resyncMs`, so every replica decides slots
 * on the same time and a skewed machine neither fires early nor twice.
 */
export interface DbClock extends Clock {
  /** Database time minus local time, as last measured. */
  readonly offsetMs: number;
  /** Measures the offset now (half the round trip is taken off). */
  sync(): Promise<number>;
  /** Re-measures in the background until stop(); errors are logged and the last offset kept. */
  start(): void;
  stop(): void;
}

export function createDbClock(opts: {
  db: Db;
  local?: Clock;
  logger?: Logger;
  resyncMs?: number;
  /** Warn when the local clock is further than this from the database's. */
  warnSkewMs?: number;
}): DbClock {
  const local = opts.local ?? systemClock;
  const warnSkewMs = opts.warnSkewMs ?? 5_000;
  let offsetMs = 0;
  let timer: NodeJS.Timeout | undefined;

  async function sync(): Promise<number> {
    const before = local.now().getTime();
    const [row] = await rowsOf<{ now: Date }>(opts.db, sql`SELECT clock_timestamp() AS now`, [
      'now',
    ]);
    const after = local.now().getTime();
    offsetMs = row!.now.getTime() - (before + after) / 2;
    if (Math.abs(offsetMs) > warnSkewMs) {
      opts.logger?.warn(
        { skewMs: Math.round(offsetMs) },
        `this machine's clock is more than ${warnSkewMs} ms off the database's; slot decisions use the database's time`,
      );
    }
    return offsetMs;
  }

  return {
    get offsetMs() {
      return offsetMs;
    },
    now: () => new Date(local.now().getTime() + offsetMs),
    sync,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        sync().catch((err: unknown) =>
          opts.logger?.warn({ err }, 'could not read the database clock; keeping the last offset'),
        );
      }, opts.resyncMs ?? 30_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
