import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { deleteRedisPrefix, testServers, waitFor } from '@cronfleet/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRunEventPublisher, eventsChannel, type RunEvent } from './events.js';

let redisUrl: string;
const prefix = `cft-ev-${randomBytes(4).toString('hex')}`;
const clients: Redis[] = [];

beforeAll(async () => {
  ({ redisUrl } = await testServers());
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await deleteRedisPrefix(redisUrl, prefix);
});

function connect(): Redis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redis;
}

/** A subscriber on the channel that collects every event it receives. */
async function listen(channelPrefix: string): Promise<RunEvent[]> {
  const sub = connect();
  const seen: RunEvent[] = [];
  sub.on('message', (_channel: string, text: string) => {
    seen.push(...(JSON.parse(text) as { events: RunEvent[] }).events);
  });
  await sub.subscribe(eventsChannel(channelPrefix));
  return seen;
}

const event = (runId: string): RunEvent => ({
  type: 'run.finished',
  scheduleKey: 'nightly',
  runId,
  status: 'succeeded',
  attempt: 1,
  at: '2026-11-22T00:00:00.000Z',
});

describe('run event publisher', () => {
  it('sends the events of one turn as one message', async () => {
    const p = `${prefix}-a`;
    const seen = await listen(p);
    const redis = connect();
    const publish = vi.spyOn(redis, 'publish');
    const publisher = createRunEventPublisher(redis, p);
    publisher.publish(event('r1'));
    publisher.publish(event('r2'));
    publisher.publish(event('r3'));
    await waitFor('three events', () => seen.length === 3);
    expect(seen.map((e) => e.runId)).toEqual(['r1', 'r2', 'r3']);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('stops sending while nobody listens and resumes once a listener has come', async () => {
    const p = `${prefix}-b`;
    const redis = connect();
    const publish = vi.spyOn(redis, 'publish');
    const pubsub = vi.spyOn(redis, 'pubsub');
    let now = 0;
    const publisher = createRunEventPublisher(redis, p, { listenerCheckMs: 1_000, now: () => now });

    // The first batch goes out, and its reply says nobody received it.
    expect(publisher.wanted()).toBe(true);
    publisher.publish(event('unheard-1'));
    await waitFor('the first publish', () => publish.mock.results.length === 1);
    expect(await publish.mock.results[0]!.value).toBe(0);

    // Within the check interval nothing is sent or asked, and callers are told so.
    now = 999;
    expect(publisher.wanted()).toBe(false);
    publisher.publish(event('unheard-2'));
    await nextTurn();
    await nextTurn();
    expect(publish).toHaveBeenCalledTimes(1);
    expect(pubsub).not.toHaveBeenCalled();

    // A dashboard subscribes; after the interval the publisher asks and finds it.
    const seen = await listen(p);
    now = 1_000;
    expect(publisher.wanted()).toBe(true);
    publisher.publish(event('heard'));
    await waitFor('the event after the check', () => seen.length > 0);
    expect(pubsub).toHaveBeenCalledTimes(1);
    expect(seen.map((e) => e.runId)).toEqual(['heard']);
    expect(publisher.wanted()).toBe(true);
  });

  it('asks Redis before every batch when the interval is 0', async () => {
    const p = `${prefix}-c`;
    const redis = connect();
    const publisher = createRunEventPublisher(redis, p, { listenerCheckMs: 0 });
    publisher.publish(event('unheard'));
    const publish = vi.spyOn(redis, 'publish');
    await waitFor('the first publish', () => publish.mock.results.length === 1);
    const seen = await listen(p);
    publisher.publish(event('heard'));
    await waitFor('the event', () => seen.length > 0);
    expect(seen.map((e) => e.runId)).toEqual(['heard']);
  });
});
