import type { Clock, Logger } from '@cronfleet/core';
import type { Db } from '@cronfleet/db';
import type { RunQueue } from '@cronfleet/queue';

export interface ScheduleServiceDeps {
  db: Db;
  /**
   * Run-now and backfill hand their runs to Redis through it. When absent or
   * when it throws, the runs stay `pending` and the scheduler's relay delivers
   * them; results then say `queued: false`.
   */
  queue?: Pick<RunQueue, 'enqueue'> & Partial<Pick<RunQueue, 'publishCancel'>>;
  clock?: Clock;
  logger?: Logger;
  /** When given, create/update reject unknown handler names and sync skips them. */
  knownHandlers?: () => readonly string[];
}

/** What every method family shares. */
export interface ServiceContext {
  db: Db;
  queue: (Pick<RunQueue, 'enqueue'> & Partial<Pick<RunQueue, 'publishCancel'>>) | undefined;
  clock: Clock;
  logger: Logger | undefined;
  knownHandlers: (() => readonly string[]) | undefined;
}
