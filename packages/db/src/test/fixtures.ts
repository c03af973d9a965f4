import { createTestEnv, type TestEnv } from '@cronfleet/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createDb, type DbHandle } from '../client.js';
import { schedules, type NewSchedule } from '../schema.js';

/** A fresh database for one test file, with a handle to it. */
export async function openTestDb(): Promise<{
  env: TestEnv;
  handle: DbHandle;
  close(): Promise<void>;
}> {
  const env = await createTestEnv();
  const handle = createDb({ url: env.databaseUrl, max: 8 });
  return {
    env,
    handle,
    async close() {
      await handle.close();
      await env.close();
    },
  };
}

/**
 * The test file's database, opened before its tests, emptied before each
 * one and dropped after them all. Call at the top of a file or a describe.
 */
export function useTestDb(): { readonly env: TestEnv; readonly handle: DbHandle } {
  let opened: Awaited<ReturnType<typeof openTestDb>> | undefined;
  const get = () => {
    if (!opened) throw new Error('the test database is opened in beforeAll');
    return opened;
  };
  beforeAll(async () => {
    opened = await openTestDb();
  });
  afterAll(async () => opened?.close());
  beforeEach(async () => {
    await get().handle.db.execute(sql`TRUNCATE schedules CASCADE`);
  });
  return {
    get env() {
      return get().env;
    },
    get handle() {
      return get().handle;
    },
  };
}

let counter = 0;
export async function insertSchedules(
  handle: DbHandle,
  count: number,
  overrides: Partial<NewSchedule> = {},
): Promise<{ id: string; key: string }[]> {
  const rows = Array.from({ length: count }, () => ({
    key: `s-${++counter}-${Math.random().toString(36).slice(2, 8)}`,
    handler: 'noop',
    intervalSeconds: 60,
    ...overrides,
  }));
  return handle.db
    .insert(schedules)
    .values(rows)
    .returning({ id: schedules.id, key: schedules.key });
}
