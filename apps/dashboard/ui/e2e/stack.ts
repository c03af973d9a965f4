/**
 * The whole fleet in this process on a fresh database and queue prefix: the
 * dashboard (serving the built UI) on a free port, a worker and a scheduler,
 * with the example schedules synced.
 */
import { fileURLToPath } from 'node:url';
import { createLogger } from '@cronfleet/core';
import { closeServer, createServer } from '@cronfleet/dashboard';
import { createDb, type DbHandle } from '@cronfleet/db';
import { createBuiltinHandlers, createRegistry } from '@cronfleet/handlers';
import { createRunQueue } from '@cronfleet/queue';
import { createScheduler } from '@cronfleet/scheduler';
import { createScheduleService, readScheduleFile } from '@cronfleet/service';
import { createTestEnv } from '@cronfleet/testing';
import { createFleetWorker } from '@cronfleet/worker';

export const OPERATOR_TOKEN = 'e2e-operator-token-0123456789abcdef';
export const VIEWER_TOKEN = 'e2e-viewer-token-0123456789abcdef';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/schedules.yaml', import.meta.url));
const UI_DIR = fileURLToPath(new URL('../dist', import.meta.url));

export interface Stack {
  baseUrl: string;
  db: DbHandle['db'];
  /** Calls the API as an operator (Bearer token), outside the browser. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const logger = createLogger({ name: 'e2e', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const env = await createTestEnv();
  const handle = createDb({ url: env.databaseUrl, max: 8 });
  const queue = createRunQueue({ redisUrl: env.redisUrl, prefix: env.queuePrefix, logger });
  const handlers = createBuiltinHandlers({ db: handle.db });
  const known = handlers.map((h) => h.name);
  const service = createScheduleService({
    db: handle.db,
    queue,
    logger,
    knownHandlers: () => known,
  });
  await service.sync(await readScheduleFile(EXAMPLES));

  const app = await createServer({
    db: handle.db,
    service,
    runQueue: queue,
    redisUrl: env.redisUrl,
    prefix: env.queuePrefix,
    logger,
    auth: { operatorToken: OPERATOR_TOKEN, viewerToken: VIEWER_TOKEN },
    uiDir: UI_DIR,
  });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const worker = createFleetWorker({
    db: handle.db,
    redisUrl: env.redisUrl,
    prefix: env.queuePrefix,
    registry: createRegistry(handlers),
    logger,
    workerId: 'e2e-worker',
    concurrency: 5,
    shutdownTimeoutMs: 5_000,
  });
  await worker.ready;
  const scheduler = createScheduler({
    db: handle.db,
    queue,
    logger,
    id: 'e2e-scheduler',
    pollMs: 200,
    relayIntervalMs: 1_000,
  });
  scheduler.start();

  return {
    baseUrl,
    db: handle.db,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${OPERATOR_TOKEN}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async close() {
      // Each step runs even if one before it fails, so nothing is left open.
      const steps: (() => Promise<unknown>)[] = [
        () => scheduler.stop(),
        () => worker.stop(),
        () => closeServer(app, 500),
        () => queue.close(),
        () => handle.close(),
        () => env.close(),
      ];
      const errors: unknown[] = [];
      for (const step of steps) await step().catch((err: unknown) => errors.push(err));
      if (errors.length > 0) throw new AggregateError(errors, 'stack did not close cleanly');
    },
  };
}
