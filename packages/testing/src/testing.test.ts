import net from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createTcpProxy, createTestEnv, waitFor } from './index.js';

describe('waitFor', () => {
  it('returns the first value that is not false or undefined', async () => {
    let n = 0;
    expect(await waitFor('n to reach 3', () => (++n >= 3 ? n : false), { intervalMs: 1 })).toBe(3);
  });

  it('fails with what it waited for and the last error', async () => {
    await expect(
      waitFor('a miracle', () => Promise.reject(new Error('still no')), {
        timeoutMs: 20,
        intervalMs: 5,
      }),
    ).rejects.toThrow('timed out waiting for a miracle (last error: still no)');
  });
});

describe('createTestEnv', () => {
  it('gives each caller its own migrated database and queue prefix', async () => {
    const [a, b] = await Promise.all([createTestEnv(), createTestEnv()]);
    try {
      expect(a.databaseUrl).not.toBe(b.databaseUrl);
      expect(a.queuePrefix).not.toBe(b.queuePrefix);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('createTcpProxy', () => {
  it('passes traffic, drops it while cut, and passes it again once restored', async () => {
    const env = await createTestEnv();
    const proxy = await createTcpProxy(env.redisUrl);
    const redis = new Redis(proxy.url, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
      enableOfflineQueue: false,
    });
    redis.on('error', () => undefined);
    try {
      await waitFor(
        'the connection',
        async () => (await redis.ping().catch(() => false)) === 'PONG',
      );
      proxy.cut();
      await expect(redis.ping()).rejects.toThrow();
      const refused = await new Promise<boolean>((resolve) => {
        const socket = net.connect(proxy.port, '127.0.0.1');
        socket.on('close', () => resolve(true));
        socket.on('data', () => resolve(false));
      });
      expect(refused).toBe(true);
      proxy.restore();
      await waitFor(
        'the reconnection',
        async () => (await redis.ping().catch(() => false)) === 'PONG',
      );
    } finally {
      redis.disconnect();
      await proxy.close();
      await env.close();
    }
  });
});
