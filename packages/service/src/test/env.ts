import { createManualClock, type ManualClock } from '@cronfleet/core';
import { createDb, scheduleRuns, type Db, type DbHandle, type ScheduleRun } from '@cronfleet/db';
import { createRunQueue, type RunQueue } from '@cronfleet/queue';
import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import { sql } from 'drizzle-orm';
import type { ScheduleServiceDeps } from '../context.js';
import { createScheduleService, type ScheduleService } from '../service.js';

/** Monday 2 March 2026, noon UTC. */
export const T0 = new Date('2026-03-02T12:00:00Z');
export const HANDLERS = ['noop', 'sleep', 'http.request'] as const;

export interface ServiceEnv {
  env: TestEnv;
  handle: DbHandle;
  db: Db;
  queue: RunQueue;
  clock: ManualClock;
  /** With the real queue and the known handlers. */
  service: ScheduleService;
  /** Another service on the same database and clock, with other deps. */
  make(deps?: Partial<ScheduleServiceDeps>): ScheduleService;
  /** Empties the tables and sets the clock back to T0. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh database, a queue under a fresh prefix, a manual clock at T0. */
export async function openServiceEnv(): Promise<ServiceEnv> {
  const env = await createTestEnv();
  const handle = createDb({ url: env.databaseUrl, max: 8 });
  const queue = createRunQueue({ redisUrl: env.redisUrl, prefix: env.queuePrefix });
  const clock = createManualClock(T0);
  const make = (deps: Partial<ScheduleServiceDeps> = {}) =>
    createScheduleService({ db: handle.db, clock, ...deps });
  return {
    env,
    handle,
    db: handle.db,
    queue,
    clock,
    service: make({ queue, knownHandlers: () => HANDLERS }),
    make,
    async reset() {
      await handle.db.execute(sql`TRUNCATE schedules CASCADE`);
      clock.set(T0);
    },
    async close() {
      await queue.close();
      await handle.close();
      await env.close();
    },
  };
}

/** A run row written directly, as the scheduler or a worker would leave it. */
export async function insertRun(
  db: Db,
  values: { scheduleId: string; scheduledFor: Date; status?: string; trigger?: string },
): Promise<ScheduleRun> {
  const [row] = await db.insert(scheduleRuns).values(values).returning();
  return row!;
}

export const at = (iso: string) => new Date(iso);
