import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { pruneHistory, type Db } from '@cronfleet/db';
import { defineHandler, type HandlerDefinition } from './define.js';
import { httpRequestHandler } from './http-request.js';

const DAY_MS = 86_400_000;

/** Does nothing; useful to prove the pipeline end to end. */
export const noopHandler = defineHandler({
  name: 'noop',
  description: 'Does nothing and succeeds.',
  // Strict everywhere: payloads are typed into YAML by hand, so a typo must be reported.
  payload: z.strictObject({}),
  run: () => Promise.resolve({ ok: true as const }),
});

export const sleepHandler = defineHandler({
  name: 'sleep',
  description: 'Waits `ms` milliseconds; stops promptly when the run is aborted.',
  payload: z.strictObject({ ms: z.int().min(0).max(DAY_MS) }),
  async run({ ms }, ctx) {
    try {
      await delay(ms, undefined, { signal: ctx.signal });
    } catch (err) {
      // timers/promises rejects with a generic AbortError; surface why we stopped.
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw err;
    }
    return { sleptMs: ms };
  },
});

export const failHandler = defineHandler({
  name: 'fail',
  description: 'Throws on the first `times` attempts (every attempt if omitted), then succeeds.',
  payload: z.strictObject({
    message: z.string().min(1).default('requested failure'),
    times: z.int().min(1).optional(),
  }),
  run({ message, times }, ctx) {
    if (times === undefined || ctx.attempt <= times) return Promise.reject(new Error(message));
    return Promise.resolve({ succeededOnAttempt: ctx.attempt });
  },
});

export function pruneHistoryHandler(deps: { db: Db; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return defineHandler({
    name: 'fleet.prune-history',
    description: 'Deletes finished runs (and their attempts) older than `olderThanDays`.',
    // Past a century the cutoff would leave the range dates can hold.
    payload: z.strictObject({ olderThanDays: z.number().positive().max(36_500).default(30) }),
    async run({ olderThanDays }, ctx) {
      const finishedBefore = new Date(now().getTime() - olderThanDays * DAY_MS);
      const { runs } = await pruneHistory(deps.db, { finishedBefore, signal: ctx.signal });
      ctx.logger.info(
        { deletedRuns: runs, olderThan: finishedBefore.toISOString() },
        'pruned run history',
      );
      return { deletedRuns: runs, olderThan: finishedBefore.toISOString() };
    },
  });
}

/** Every built-in handler, ready for createRegistry(). */
export function createBuiltinHandlers(deps: { db: Db; now?: () => Date }): HandlerDefinition[] {
  return [noopHandler, sleepHandler, failHandler, httpRequestHandler, pruneHistoryHandler(deps)];
}
