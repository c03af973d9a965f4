import { createLogger, type Clock } from '@cronfleet/core';
import { createDb, schedules, type DbHandle, type NewSchedule } from '@cronfleet/db';
import { createRunQueue, type RunQueue } from '@cronfleet/queue';
import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import {
  SCHEDULER_POOL_SIZE,
  createScheduler,
  type Scheduler,
  type SchedulerOptions,
} from '../scheduler.js';

export const testLogger = createLogger({
  name: 'test',
  level: process.env.TEST_LOG_LEVEL ?? 'silent',
});

/** A test file's world: a fresh database, a queue prefix, and everything it opened, closed at the end. */
export async function openHarness() {
  const env: TestEnv = await createTestEnv();
  const handles: DbHandle[] = [];
  const queues: RunQueue[] = [];
  const schedulers: Scheduler[] = [];
  const db = createDb({ url: env.databaseUrl, max: 4 });
  handles.push(db);

  return {
    env,
    db: db.db,
    pool: db.pool,
    queue(redisUrl = env.redisUrl) {
      const queue = createRunQueue({ redisUrl, prefix: env.queuePrefix, logger: testLogger });
      queues.push(queue);
      return queue;
    },
    scheduler(
      opts: Partial<SchedulerOptions> & { id: string; clock?: Clock; databaseUrl?: string },
    ) {
      const handle = createDb({
        url: opts.databaseUrl ?? env.databaseUrl,
        max: SCHEDULER_POOL_SIZE,
        applicationName: `test-${opts.id}`,
      });
      handles.push(handle);
      const scheduler = createScheduler({
        db: handle.db,
        queue: opts.queue ?? this.queue(),
        logger: testLogger.child({ schedulerId: opts.id }),
        ...opts,
      });
      schedulers.push(scheduler);
      return scheduler;
    },
    async insert(rows: Partial<NewSchedule>[]) {
      return db.db
        .insert(schedules)
        .values(
          rows.map((r, i) => ({
            key: `s${i}-${Math.random().toString(36).slice(2, 8)}`,
            handler: 'noop',
            ...r,
          })),
        )
        .returning();
    },
    /** Stops every scheduler loop a test started, so none claims the next test's rows. */
    async stopSchedulers() {
      await Promise.allSettled(schedulers.map((s) => s.stop()));
    },
    async close() {
      await Promise.allSettled(schedulers.map((s) => s.stop()));
      await Promise.allSettled(queues.map((q) => q.close()));
      await Promise.allSettled(handles.map((h) => h.close()));
      await env.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof openHarness>>;
