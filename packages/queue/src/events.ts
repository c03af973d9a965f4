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
  publish(event: RunEvent): void;
}

/**
 * Collects the events of one turn of the event loop and publishes them as
 * one message, so a busy worker sends one PUBLISH per batch, not per run.
 * Publishing never blocks or fails a run: errors are logged.
 */
export function createRunEventPublisher(
  redis: Redis,
  prefix: string,
  logger?: Logger,
): RunEventPublisher {
  const channel = eventsChannel(prefix);
  let pending: RunEvent[] = [];
  const flush = () => {
    const events = pending;
    pending = [];
    redis.publish(channel, JSON.stringify({ events })).catch((err: unknown) => {
      logger?.debug({ err, events: events.length }, 'could not publish run events');
    });
  };
  return {
    publish(event) {
      if (pending.length === 0) setImmediate(flush);
      pending.push(event);
    },
  };
}
