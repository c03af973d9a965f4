import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@cronfleet/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsChannel, type RunEvent } from './events.js';
import { createServer } from './server.js';
import { VIEWER_TOKEN, logger, openDashboard, type DashboardTest } from './test/env.js';

const PUBLISHER = fileURLToPath(new URL('./test/publish-events.mjs', import.meta.url));
/** The real worker app, built by turbo before these tests (a dev dependency). */
const WORKER = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));
const run = promisify(execFile);

let t: DashboardTest;
let base = '';
beforeAll(async () => {
  t = await openDashboard();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => t?.close());

const finished = (over: Partial<RunEvent> = {}): RunEvent => ({
  type: 'run.finished',
  scheduleKey: 'nightly',
  group: 'reports',
  runId: '7d1f2f4e-3f0a-4c55-9a55-0f3a4f1e2b11',
  status: 'succeeded',
  result: { rows: 42 },
  error: null,
  finishedAt: '2026-03-02T12:00:01.500Z',
  attempt: 1,
  at: '2026-03-02T12:00:01.500Z',
  ...over,
});

/** An open event stream read over real HTTP. */
async function openStream(url: string) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  return {
    /** Reads until `predicate(text so far)` holds; fails after `ms`. */
    async until(predicate: (text: string) => boolean, ms = 10_000): Promise<string> {
      const deadline = Date.now() + ms;
      while (!predicate(text)) {
        if (ended) throw new Error(`stream ended; read so far:\n${text}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out; read so far:\n${text}`);
        const chunk = await Promise.race([
          reader.read(),
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), left)),
        ]);
        if (chunk === 'timeout') continue;
        if (chunk.done) ended = true;
        else text += decoder.decode(chunk.value as Uint8Array, { stream: true });
      }
      return text;
    },
    get ended() {
      return ended;
    },
    close: () => controller.abort(),
  };
}

const dataLines = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as unknown);

describe('GET /api/events', () => {
  it('delivers the run-finished event of a run that a real worker process ran', async () => {
    const stream = await openStream(`${base}/api/events`);
    await stream.until((text) => text.includes(': connected'));
    const worker = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        DATABASE_URL: t.env.databaseUrl,
        REDIS_URL: t.env.redisUrl,
        QUEUE_PREFIX: t.env.queuePrefix,
        HEALTH_PORT: '0',
        LOG_LEVEL: 'warn',
        WORKER_ID: 'events-test-worker',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    try {
      await t.service.create({
        key: 'from-worker',
        handler: 'noop',
        intervalSeconds: 3_600,
        group: 'live',
      });
      const { run } = await t.service.runNow('from-worker');
      const text = await stream.until(
        (s) => s.includes(run.id) && s.includes('"run.finished"'),
        30_000,
      );
      const event = dataLines(text).find(
        (e) => (e as RunEvent).runId === run.id && (e as RunEvent).type === 'run.finished',
      );
      expect(event).toMatchObject({
        scheduleKey: 'from-worker',
        group: 'live',
        status: 'succeeded',
        attempt: 1,
      });
    } finally {
      stream.close();
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('delivers a run-finished event that another process published', async () => {
    const stream = await openStream(`${base}/api/events`);
    await stream.until((text) => text.includes(': connected'));
    expect(t.events.listenerCount()).toBe(1);
    const good = finished();
    const messages = [
      'not json at all',
      JSON.stringify({ nothing: [] }),
      JSON.stringify({ events: [{ type: 'run.exploded', runId: 'x' }, good] }),
    ];
    const { stdout } = await run(process.execPath, [
      PUBLISHER,
      t.env.redisUrl,
      eventsChannel(t.env.queuePrefix),
      ...messages,
    ]);
    expect(stdout).toContain('published to 1 subscriber(s)');
    const text = await stream.until((s) => s.includes('"run.finished"'));
    // The malformed message and the malformed event are dropped; the good one arrives whole.
    expect(dataLines(text)).toEqual([good]);
    stream.close();
    await waitFor('the stream to unsubscribe', () => t.events.listenerCount() === 0);
  });

  it('narrows to one schedule or group; fans out to every client', async () => {
    const bySchedule = await openStream(`${base}/api/events?schedule=a`);
    const byGroup = await openStream(`${base}/api/events?group=g`);
    const everything = await openStream(`${base}/api/events`);
    for (const s of [bySchedule, byGroup, everything])
      await s.until((x) => x.includes(': connected'));
    const events = [
      finished({ scheduleKey: 'a', group: null, type: 'run.started', status: 'running' }),
      finished({ scheduleKey: 'b', group: 'g' }),
      finished({ scheduleKey: 'c', group: 'h' }),
    ];
    const redis = new Redis(t.env.redisUrl);
    try {
      await redis.publish(eventsChannel(t.env.queuePrefix), JSON.stringify({ events }));
    } finally {
      redis.disconnect();
    }
    const keys = async (s: Awaited<ReturnType<typeof openStream>>, n: number) =>
      dataLines(await s.until((x) => dataLines(x).length >= n)).map(
        (e) => (e as RunEvent).scheduleKey,
      );
    expect(await keys(everything, 3)).toEqual(['a', 'b', 'c']);
    expect(await keys(bySchedule, 1)).toEqual(['a']);
    expect(await keys(byGroup, 1)).toEqual(['b']);
    for (const s of [bySchedule, byGroup, everything]) s.close();
  });

  it('rejects unknown filters', async () => {
    const res = await t.app.inject({
      url: '/api/events?status=failed',
      headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ issues: { field: string }[] }>().issues[0]?.field).toBe('status');
  });
});

describe('event-stream lifecycle', () => {
  let app: FastifyInstance;
  let url = '';
  beforeAll(async () => {
    app = await createServer({
      db: t.db,
      service: t.service,
      runQueue: t.queue,
      redisUrl: t.env.redisUrl,
      prefix: t.env.queuePrefix,
      logger,
      auth: { viewerToken: VIEWER_TOKEN },
      events: t.events,
      heartbeatMs: 50,
      uiDir: null,
    });
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/api/events`;
  });
  afterAll(async () => app?.close());

  it('sends heartbeat comments, and app.close() ends open streams', async () => {
    const stream = await openStream(url);
    const text = await stream.until((s) => s.split(': heartbeat').length > 2);
    expect(text.startsWith('retry: 3000\n: connected\n\n')).toBe(true);
    await app.close();
    await stream.until(() => stream.ended).catch(() => undefined);
    expect(stream.ended).toBe(true);
    expect(t.events.listenerCount()).toBe(0);
  });
});
