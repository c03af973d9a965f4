/** /healthz (the process is up) and /readyz (Postgres and Redis answer), without auth. */
import { errorMessage, withTimeout } from '@cronfleet/core';
import type { Db } from '@cronfleet/db';
import type { RunQueue } from '@cronfleet/queue';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';

const CHECK_TIMEOUT_MS = 2_000;

async function check(work: () => Promise<boolean>): Promise<true | string> {
  try {
    const outcome = await withTimeout(work(), CHECK_TIMEOUT_MS);
    if (outcome === 'timeout') return `no answer within ${CHECK_TIMEOUT_MS} ms`;
    return outcome ? true : 'no answer';
  } catch (err) {
    return errorMessage(err);
  }
}

export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { db: Db; runQueue: Pick<RunQueue, 'ping'> },
): void {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const [postgres, redis] = await Promise.all([
      check(async () => {
        await deps.db.execute(sql`SELECT 1`);
        return true;
      }),
      check(() => deps.runQueue.ping()),
    ]);
    const ready = postgres === true && redis === true;
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', checks: { postgres, redis } });
  });
}
