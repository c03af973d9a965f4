import type { Logger } from '@cronfleet/core';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Live run events, fleet-wide: workers publish batches on `${prefix}:events`
 * as `{ "events": [ … ] }` and every dashboard replica subscribes. They are
 * notifications for people watching; the durable history is in Postgres.
 */
export const eventsChannel = (prefix: string) => `${prefix}:events`;

const time = z.union([z.string(), z.number()]);
/** One event; fields a newer worker adds are passed through. */
export const runEventSchema = z.looseObject({
  type: z.enum(['run.started', 'run.finished']),
  scheduleKey: z.string(),
  group: z.string().nullable().optional(),
  runId: z.string(),
  status: z.string(),
  result: z.unknown().optional(),
  error: z.string().nullable().optional(),
  finishedAt: time.nullable().optional(),
  attempt: z.number().int().min(0),
  at: time,
});
export type RunEvent = z.infer<typeof runEventSchema>;

export interface RunEventPublisher {
  /**
   * Whether an event published now may reach anyone: false while no
   * dashboard listens, until it is time to ask Redis again. Callers skip
   * building their events while it is false.
   */
  wanted(): boolean;
  publish(event: RunEvent): void;
}

export interface RunEventPublisherOptions {
  logger?: Logger;
  /**
   * While nobody listens, how long that answer is trusted before Redis is
   * asked again (PUBSUB NUMSUB). 0 asks before every batch.
   */
  listenerCheckMs?: number;
  /** Milliseconds clock for that interval (tests pass their own). */
  now?: () => number;
}

/** Default for `listenerCheckMs`: a dashboard that starts misses at most a second of events. */
export const LISTENER_CHECK_MS = 1_000;

/**
 * Collects the events of one turn of the event loop and publishes them as
 * one message, so a busy worker sends one PUBLISH per batch, not per run.
 * Nothing is serialized or sent while no dashboard subscribes: PUBLISH
 * replies with the number of receivers, and after a reply of 0 the publisher
 * only asks Redis, at most every `listenerCheckMs`, whether one has come.
 * Publishing never blocks or fails a run: errors are logged.
 */
export function createRunEventPublisher(
  redis: Redis,
  prefix: string,
  opts: RunEventPublisherOptions = {},
): RunEventPublisher {
  const channel = eventsChannel(prefix);
  const checkMs = opts.listenerCheckMs ?? LISTENER_CHECK_MS;
  const now = opts.now ?? Date.now;
  let pending: RunEvent[] = [];
  // Unknown at first: the first batch is published and its reply tells.
  let listening = true;
  let checkedAt = 0;
  let checking: Promise<void> | undefined;

  const check = async () => {
    const reply = (await redis.pubsub('NUMSUB', channel)) as [string, number | string];
    listening = Number(reply[1]) > 0;
    checkedAt = now();
  };
  const flush = async () => {
    const events = pending;
    pending = [];
    try {
      if (!listening && now() - checkedAt >= checkMs) {
        checking ??= check().finally(() => {
          checking = undefined;
        });
        await checking;
      }
      if (!listening) return;
      const receivers = await redis.publish(channel, JSON.stringify({ events }));
      if (receivers === 0) {
        listening = false;
        checkedAt = now();
      }
    } catch (err) {
      opts.logger?.debug({ err, events: events.length }, 'could not publish run events');
    }
  };
  return {
    wanted: () => listening || now() - checkedAt >= checkMs,
    publish(event) {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push(event);
    },
  };
}
