import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@cronfleet/core';

export type RedisRole = 'producer' | 'worker' | 'client';

/**
 * ioredis tuned per role. Producers fail fast while Redis is away (the run
 * stays `pending` in Postgres and the relay delivers it later); workers must
 * retry forever (BullMQ requires `maxRetriesPerRequest: null` for blocking
 * commands). Every connection reconnects with a capped backoff and logs its
 * errors instead of crashing the process.
 */
export function createRedis(
  url: string,
  opts: { role: RedisRole; logger?: Logger; name?: string },
): Redis {
  const base: RedisOptions = {
    connectionName: opts.name,
    retryStrategy: (times) => Math.min(200 * times, 5_000),
    lazyConnect: false,
  };
  const byRole: Record<RedisRole, RedisOptions> = {
    producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    worker: { maxRetriesPerRequest: null },
    client: { maxRetriesPerRequest: 2 },
  };
  const redis = new Redis(url, { ...base, ...byRole[opts.role] });
  let lastLog = 0;
  redis.on('error', (err) => {
    // A dead Redis raises an error per reconnect attempt; one line every 5 s is enough.
    const now = Date.now();
    if (now - lastLog > 5_000) {
      lastLog = now;
      opts.logger?.warn({ err, role: opts.role }, 'redis connection error');
    }
  });
  return redis;
}
