import { describe, expect, it } from 'vitest';
import { createHealthApp, startHealthServer } from './health.js';

describe('health endpoints', () => {
  it.each([
    [true, true, 200, 200],
    [true, false, 200, 503],
    [false, false, 503, 503],
  ])('live %s, ready %s → /healthz %i, /readyz %i', async (live, ready, healthz, readyz) => {
    const app = createHealthApp({
      live: () => live,
      ready: () => ({ ready, checks: { db: ready } }),
    });
    expect((await app.inject('/healthz')).statusCode).toBe(healthz);
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(readyz);
    expect(res.json()).toEqual({ status: ready ? 'ready' : 'not_ready', checks: { db: ready } });
    await app.close();
  });

  it('port 0 picks a free port, so replicas can share a machine', async () => {
    const servers = await Promise.all(
      [0, 0].map(() =>
        startHealthServer({
          port: 0,
          host: '127.0.0.1',
          checks: { ready: () => ({ ready: true, checks: {} }) },
        }),
      ),
    );
    expect(servers[0]!.port).not.toBe(servers[1]!.port);
    const res = await fetch(`http://127.0.0.1:${servers[0]!.port}/readyz`);
    expect(res.status).toBe(200);
    await Promise.all(servers.map((s) => s.close()));
  });
});
