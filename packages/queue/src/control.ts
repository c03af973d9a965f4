import type { Logger } from '@cronfleet/core';
import { z } from 'zod';
import { createRedis } from './connection.js';

/** Fleet-wide control messages (pub/sub): every worker hears every message. */
export const controlChannel = (prefix: string) => `${prefix}:control`;

const controlMessage = z.object({ type: z.literal('cancel'), runIds: z.array(z.string()) });
export type ControlMessage = z.infer<typeof controlMessage>;

/**
 * Subscribes on a connection of its own (a subscribed Redis connection can do
 * nothing else). Malformed messages are logged and ignored; the subscription
 * is restored by ioredis after a reconnect.
 */
export function subscribeControl(opts: {
  redisUrl: string;
  prefix: string;
  logger?: Logger;
  onCancel: (runIds: string[]) => void;
}): { ready: Promise<void>; close(): Promise<void> } {
  const redis = createRedis(opts.redisUrl, {
    role: 'worker',
    logger: opts.logger,
    name: 'cronfleet-control',
  });
  const channel = controlChannel(opts.prefix);
  redis.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    try {
      const message = controlMessage.parse(JSON.parse(text));
      opts.onCancel(message.runIds);
    } catch (err) {
      opts.logger?.warn({ err }, 'ignored a malformed control message');
    }
  });
  const ready = redis.subscribe(channel).then(() => undefined);
  return {
    ready,
    async close() {
      redis.disconnect();
      await ready.catch(() => undefined);
    },
  };
}
