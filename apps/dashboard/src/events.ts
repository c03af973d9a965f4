/**
 * Live run events. Workers publish batches on the Redis channel
 * `${prefix}:events` as `{ "events": [ … ] }`; every dashboard replica
 * subscribes on a connection of its own and fans each event out to its
 * Server-Sent Events clients, so every browser sees every worker's events.
 */
import type { Logger } from '@cronfleet/core';
import { createRedis, eventsChannel, runEventSchema, type RunEvent } from '@cronfleet/queue';
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseInput } from './input.js';

export { eventsChannel, runEventSchema, type RunEvent } from '@cronfleet/queue';

const batchSchema = z.object({ events: z.array(z.unknown()).max(10_000) });

export type RunEventListener = (events: readonly RunEvent[]) => void;

export interface RunEventHub {
  /** Resolves once the subscription is in place. */
  readonly ready: Promise<void>;
  /** Calls `listener` with each batch's valid events; returns the unsubscribe function. */
  subscribe(listener: RunEventListener): () => void;
  /** Listeners subscribed now (one per open event stream). */
  listenerCount(): number;
  close(): Promise<void>;
}

export function createEventHub(opts: {
  redisUrl: string;
  prefix: string;
  logger?: Logger;
}): RunEventHub {
  const log = opts.logger;
  const channel = eventsChannel(opts.prefix);
  const listeners = new Set<RunEventListener>();
  const redis = createRedis(opts.redisUrl, {
    role: 'worker',
    logger: log,
    name: 'cronfleet-events',
  });

  function dispatch(text: string): void {
    let batch: z.infer<typeof batchSchema>;
    try {
      batch = batchSchema.parse(JSON.parse(text));
    } catch (err) {
      log?.warn({ err, length: text.length }, 'ignored a malformed run-event message');
      return;
    }
    const events: RunEvent[] = [];
    for (const raw of batch.events) {
      const parsed = runEventSchema.safeParse(raw);
      if (parsed.success) events.push(parsed.data);
      else log?.warn({ issues: parsed.error.issues.slice(0, 3) }, 'ignored a malformed run event');
    }
    if (events.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(events);
      } catch (err) {
        log?.warn({ err }, 'a run-event listener failed');
      }
    }
  }

  redis.on('message', (from: string, text: string) => {
    if (from === channel) dispatch(text);
  });
  const ready = redis.subscribe(channel).then(() => {
    log?.debug({ channel }, 'subscribed to run events');
  });
  let closed = false;
  ready.catch((err: unknown) => {
    if (!closed) log?.warn({ err, channel }, 'could not subscribe to run events');
  });

  return {
    ready,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listenerCount: () => listeners.size,
    async close() {
      closed = true;
      listeners.clear();
      redis.disconnect();
      await ready.catch(() => undefined);
    },
  };
}

const eventsQuery = z.strictObject({
  schedule: z.string().min(1).max(200).optional(),
  group: z.string().min(1).max(100).optional(),
});

/** A client that reads slower than events come is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * GET /api/events: `text/event-stream`; each event is one unnamed message
 * whose data is the event's JSON (its `type` says which), a comment line
 * every `heartbeatMs`. `?schedule=key` or `?group=name` narrow it.
 */
export function registerEventRoutes(
  app: FastifyInstance,
  hub: RunEventHub,
  opts: { heartbeatMs: number },
): void {
  const clients = new Set<ServerResponse>();

  // No HEAD twin: a HEAD request would hold a subscription it can never read.
  app.get('/api/events', { exposeHeadRoute: false }, (request, reply) => {
    const filter = parseInput(eventsQuery, request.query, 'query');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    clients.add(res);
    const write = (chunk: string) => {
      if (res.writableEnded) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        request.log.warn('event-stream client too slow; disconnecting it');
        res.end();
        return;
      }
      res.write(chunk);
    };
    const unsubscribe = hub.subscribe((events) => {
      let chunk = '';
      for (const event of events) {
        if (filter.schedule !== undefined && event.scheduleKey !== filter.schedule) continue;
        if (filter.group !== undefined && event.group !== filter.group) continue;
        chunk += `data: ${JSON.stringify(event)}\n\n`;
      }
      if (chunk) write(chunk);
    });
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), opts.heartbeatMs);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      clients.delete(res);
      request.log.debug('event-stream client left');
    });
    write('retry: 3000\n: connected\n\n');
  });

  // Open streams would hold app.close() forever.
  app.addHook('preClose', (done) => {
    for (const res of clients) res.end();
    clients.clear();
    done();
  });
}
