import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestDatabase } from './database.js';
import { testServers } from './servers.js';

export { testServers } from './servers.js';
export { createTestDatabase, type TestDatabase } from './database.js';
export { waitFor } from './wait.js';
export { createTcpProxy, type TcpProxy } from './proxy.js';

export interface TestEnv {
  databaseUrl: string;
  redisUrl: string;
  /** A queue prefix no other test file uses. */
  queuePrefix: string;
  /** Drops the database and deletes every Redis key under the prefix. */
  close(): Promise<void>;
}

/**
 * One per test file (beforeAll/afterAll): a fresh migrated database and a
 * unique queue prefix on the real servers. Set KEEP_TEST_DB=1 to keep the
 * databases for inspection.
 */
export async function createTestEnv(): Promise<TestEnv> {
  const servers = await testServers();
  const database = await createTestDatabase(servers.postgresAdminUrl);
  const queuePrefix = `cft-${randomBytes(5).toString('hex')}`;
  return {
    databaseUrl: database.url,
    redisUrl: servers.redisUrl,
    queuePrefix,
    async close() {
      await Promise.allSettled([database.drop(), deleteRedisPrefix(servers.redisUrl, queuePrefix)]);
    },
  };
}

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
